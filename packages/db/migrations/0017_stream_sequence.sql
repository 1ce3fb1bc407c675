-- The stream's log in commit order (issue 16). Until now an event's place was (writing
-- transaction id, id), final only once every older transaction had ended: any long transaction,
-- of any organisation, held back every later event (under webhook load the CEO's notification
-- waited for the drain's transactions). Now an event takes a number from a sequence as it is
-- written, which a writer does last, just before its commit, holding a shared advisory lock
-- until then (afenda.stream_next). A reader takes that lock exclusively for one statement: every
-- writer that has taken a number by then has committed or rolled back, and every number taken
-- later is higher, so what it sees up to the highest number is final (docs/notifications.md).
-- The wait is only for writers between their last statement and their commit, never for a
-- transaction still at work.

create sequence afenda.stream_seq as bigint;

create function afenda.stream_next() returns bigint
  language plpgsql volatile
  as $$
  begin
    perform pg_advisory_xact_lock_shared(hashtext('afenda.stream_seq'));
    return nextval('afenda.stream_seq');
  end
  $$;

-- What the log held before: numbered in its old order.
alter table stream_events add column seq bigint;
update stream_events e set seq = n.seq
from (select tenant_id, tx_id, id, nextval('afenda.stream_seq') as seq
      from (select tenant_id, tx_id, id from stream_events order by tx_id, id) o) n
where (e.tenant_id, e.tx_id, e.id) = (n.tenant_id, n.tx_id, n.id);
alter table stream_events alter column seq set default afenda.stream_next(),
  alter column seq set not null;

-- The fan-out reader's tail across tenants; a client's catch-up within its tenant.
drop index stream_events_tail_idx;
create unique index stream_events_seq_idx on stream_events (seq);
create index stream_events_tenant_seq_idx on stream_events (tenant_id, seq);

grant usage on sequence afenda.stream_seq to afenda_app_access;
grant execute on function afenda.stream_next() to afenda_app_access;

drop function afenda.stream_tail(xid8, bigint, integer);

-- The fan-out reader's one statement (one round trip): waits for the writers holding a number
-- to commit, then returns every tenant's events after a number, with the highest number given
-- (`head`, on the first row; one row with only the head when there is no event). It sets
-- app.fanout for itself only: greppable, never called from a request handler.
create function afenda.stream_tail(after_seq bigint, max_rows integer)
  returns table (head bigint, tenant_id uuid, user_id uuid, name text, seq bigint, data text)
  language plpgsql volatile
  as $$
  declare
    h bigint;
  begin
    perform set_config('app.fanout', 'on', true);
    perform pg_advisory_xact_lock(hashtext('afenda.stream_seq'));
    select coalesce(max(e.seq), 0) into h from stream_events e;
    return query
      select h, s.tenant_id, s.user_id, s.name, s.seq, s.payload::text
      from (select) one left join lateral (
        select e.tenant_id, e.user_id, e.name, e.seq, e.payload
        from stream_events e
        where e.seq > after_seq and e.seq <= h
        order by e.seq
        limit max_rows
      ) s on true;
    perform set_config('app.fanout', '', true);
  end
  $$;

grant execute on function afenda.stream_tail(bigint, integer) to afenda_app_access;
