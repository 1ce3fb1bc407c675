-- Approvals: the append-only, hash-chained ledger of every transition; idempotency keys; and
-- timeline entries fit to show a person.

-- Timeline entries: a type (subject.verb), a title and a description for people.
alter table activity_timeline rename column summary to title;
alter table activity_timeline add column type text;
update activity_timeline set type = subject_type || '.' || verb where type is null;
alter table activity_timeline alter column type set not null;
alter table activity_timeline add column description text not null default '';
create index activity_timeline_type_idx on activity_timeline (tenant_id, type, occurred_at desc, id desc);
create index activity_timeline_actor_idx on activity_timeline (tenant_id, actor_id, occurred_at desc, id desc);

alter table approvals add column decision text;
alter table approvals add constraint approvals_decision_check check (decision is null or decision in ('approved', 'rejected'));
create index approvals_tenant_requester_idx on approvals (tenant_id, requested_by, created_at desc, id desc);

-- The ledger. seq, prev_hash and hash are computed by the trigger below, never by the caller:
-- hash = sha256(canonical fields || prev_hash), chained per tenant in seq order.
create table approval_events (
  tenant_id uuid not null references tenants (id) on delete restrict,
  seq bigint not null,
  id uuid not null default gen_random_uuid(),
  approval_id uuid not null,
  event_type text not null,
  from_status text,
  to_status text not null,
  actor_id uuid,
  data jsonb not null default '{}'::jsonb,
  occurred_at timestamptz not null default now(),
  prev_hash bytea not null,
  hash bytea not null,
  primary key (tenant_id, seq),
  unique (tenant_id, id),
  foreign key (tenant_id, approval_id) references approvals (tenant_id, id)
);
create index approval_events_approval_idx on approval_events (tenant_id, approval_id, seq);

create or replace function afenda.approval_event_hash(e approval_events) returns bytea
  language sql immutable
  as $$
    select sha256(
      convert_to(
        concat_ws('|', e.tenant_id::text, e.seq::text, e.id::text, e.approval_id::text, e.event_type,
                  coalesce(e.from_status, ''), e.to_status, coalesce(e.actor_id::text, ''), e.data::text,
                  to_char(e.occurred_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')),
        'UTF8')
      || e.prev_hash)
  $$;

create or replace function afenda.chain_approval_event() returns trigger
  language plpgsql
  as $$
  declare
    last approval_events;
  begin
    -- One writer per tenant chain at a time: the lock lasts until the transaction ends.
    perform pg_advisory_xact_lock(hashtextextended('afenda.approval_events:' || new.tenant_id::text, 0));
    select * into last from approval_events where tenant_id = new.tenant_id order by seq desc limit 1;
    new.seq := coalesce(last.seq, 0) + 1;
    new.prev_hash := coalesce(last.hash, '\x'::bytea);
    new.occurred_at := date_trunc('microseconds', coalesce(new.occurred_at, now()));
    new.hash := afenda.approval_event_hash(new);
    return new;
  end
  $$;

create trigger approval_events_chain before insert on approval_events
  for each row execute function afenda.chain_approval_event();
create trigger approval_events_append_only before update or delete on approval_events
  for each row execute function afenda.forbid_mutation();

-- The first event of the tenant's chain whose stored hash or link does not match: null if intact.
create or replace function afenda.verify_approval_chain(p_tenant uuid)
  returns table (checked bigint, broken_seq bigint, broken_id uuid, reason text)
  language plpgsql stable
  as $$
  declare
    e approval_events;
    prev bytea := '\x'::bytea;
    n bigint := 0;
  begin
    for e in select * from approval_events where tenant_id = p_tenant order by seq loop
      n := n + 1;
      if e.seq <> n then
        return query select n, e.seq, e.id, format('sequence jumps from %s to %s', n - 1, e.seq);
        return;
      end if;
      if e.prev_hash <> prev then
        return query select n, e.seq, e.id, 'does not link to the previous event';
        return;
      end if;
      if afenda.approval_event_hash(e) <> e.hash then
        return query select n, e.seq, e.id, 'content does not match its hash';
        return;
      end if;
      prev := e.hash;
    end loop;
    return query select n, null::bigint, null::uuid, null::text;
  end
  $$;

alter table approval_events enable row level security;
alter table approval_events force row level security;
create policy approval_events_tenant_isolation on approval_events
  using (tenant_id = afenda.current_tenant_id()) with check (tenant_id = afenda.current_tenant_id());

-- Idempotency keys, per user: the first response is kept (status and body) for 24 hours.
create table idempotency_keys (
  user_id uuid not null references users (id) on delete cascade,
  key text not null,
  method text not null,
  path text not null,
  request_hash text not null,
  state text not null default 'in_progress',
  response_status integer,
  response_body jsonb,
  created_at timestamptz not null default now(),
  expires_at timestamptz not null default now() + interval '24 hours',
  primary key (user_id, key),
  constraint idempotency_keys_key_length check (char_length(key) between 1 and 255),
  constraint idempotency_keys_state_check check (state in ('in_progress', 'completed'))
);
alter table idempotency_keys enable row level security;
alter table idempotency_keys force row level security;
create policy idempotency_keys_own on idempotency_keys
  using (user_id = afenda.current_user_id()) with check (user_id = afenda.current_user_id());

grant execute on all functions in schema afenda to afenda_app_access;
grant select, insert on approval_events to afenda_app_access;
grant select, insert, update, delete on idempotency_keys to afenda_app_access;

alter table approvals add column description text not null default '';
