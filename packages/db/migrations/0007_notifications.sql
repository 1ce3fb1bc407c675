-- Notifications per user, and the durable, ordered log of live-stream events (GET /api/v1/stream).

-- Whether this transaction is the stream's fan-out reader: it reads every tenant's stream
-- events (to hand each to the connections of that tenant and user) and expires old ones. Set by
-- the stream hub only (TxContext.fanout), never from a request handler: greppable, like app.sync.
create or replace function afenda.in_fanout() returns boolean
  language sql stable parallel safe
  as $$ select coalesce(current_setting('app.fanout', true), '') = 'on' $$;

-- One user's notifications in one tenant. The membership is the foreign key: a user removed
-- from the tenant loses its notifications there with it.
create table notifications (
  tenant_id uuid not null,
  user_id uuid not null,
  id uuid not null default gen_random_uuid(),
  kind text not null,
  title text not null,
  body text not null default '',
  subject_type text not null,
  subject_id text not null,
  url text not null,
  read_at timestamptz,
  created_at timestamptz not null default now(),
  primary key (tenant_id, user_id, id),
  foreign key (tenant_id, user_id) references user_tenants (tenant_id, user_id) on delete cascade
);
create index notifications_feed_idx on notifications (tenant_id, user_id, created_at desc, id desc);
create index notifications_unread_idx on notifications (tenant_id, user_id, created_at desc, id desc)
  where read_at is null;

alter table notifications enable row level security;
alter table notifications force row level security;
-- Raised in the tenant of the transaction for any member (an approval's deciders, its requester);
-- read and marked read only by their own user.
create policy notifications_raise on notifications for insert
  with check (tenant_id = afenda.current_tenant_id());
create policy notifications_own on notifications for select
  using (tenant_id = afenda.current_tenant_id() and user_id = afenda.current_user_id());
create policy notifications_mark_read on notifications for update
  using (tenant_id = afenda.current_tenant_id() and user_id = afenda.current_user_id())
  with check (tenant_id = afenda.current_tenant_id() and user_id = afenda.current_user_id());

-- The stream's log. Ordered by (tx_id, id): tx_id is the writing transaction's id, so the reader
-- can tell which rows are final (every transaction below the oldest one still running has ended)
-- and never hands out a row before an earlier one that is still to commit (docs/notifications.md).
create table stream_events (
  tenant_id uuid not null references tenants (id) on delete cascade,
  tx_id xid8 not null default pg_current_xact_id(),
  id bigint generated always as identity,
  user_id uuid,
  name text not null,
  payload jsonb not null,
  created_at timestamptz not null default now(),
  primary key (tenant_id, tx_id, id),
  constraint stream_events_name_check check (name in ('notification', 'activity', 'approval', 'conversation'))
);
-- The fan-out reader's tail across tenants (by design the one index not led by tenant_id), and
-- a BRIN index for expiry by age (tiny on an append-only table).
create index stream_events_tail_idx on stream_events (tx_id, id);
create index stream_events_created_brin on stream_events using brin (created_at);

alter table stream_events enable row level security;
alter table stream_events force row level security;
create policy stream_events_publish on stream_events for insert
  with check (tenant_id = afenda.current_tenant_id());
create policy stream_events_read on stream_events for select
  using (
    afenda.in_fanout()
    or (tenant_id = afenda.current_tenant_id()
        and (user_id is null or user_id = afenda.current_user_id()))
  );
create policy stream_events_expire on stream_events for delete using (afenda.in_fanout());

-- The fan-out reader's read, as one statement (one round trip, no transaction around it): every
-- tenant's events after a position, each flagged final or not against the horizon, the oldest
-- transaction still running (see apps/orchestrator/src/domain/stream/read-log.ts). It sets
-- app.fanout for itself only: the one place that reads across tenants; greppable, never called
-- from a request handler.
create or replace function afenda.stream_tail(after_tx xid8, after_id bigint, max_rows integer)
  returns table (horizon xid8, tenant_id uuid, user_id uuid, name text, tx_id xid8, id bigint,
                 data text, final boolean)
  language plpgsql volatile
  as $$
  declare
    h xid8 := pg_snapshot_xmin(pg_current_snapshot());
  begin
    perform set_config('app.fanout', 'on', true);
    -- At least one row, with the horizon, even when there is no event.
    return query
      select h, s.tenant_id, s.user_id, s.name, s.tx_id, s.id, s.payload::text, s.tx_id < h
      from (select) one left join lateral (
        select e.tenant_id, e.user_id, e.name, e.tx_id, e.id, e.payload
        from stream_events e
        where (e.tx_id, e.id) > (after_tx, after_id)
        order by e.tx_id, e.id
        limit max_rows
      ) s on true;
    perform set_config('app.fanout', '', true);
  end
  $$;

grant execute on all functions in schema afenda to afenda_app_access;
grant select, insert on notifications to afenda_app_access;
grant update (read_at) on notifications to afenda_app_access;
grant select, insert, delete on stream_events to afenda_app_access;
