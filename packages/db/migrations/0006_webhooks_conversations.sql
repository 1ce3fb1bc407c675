-- Webhook ingestion, the Chatwoot conversation mirror and outbound actions (issue 5).
--
-- Background work (webhook ingestion and processing, the job workers, their sweepers) runs in
-- a service context: app.service = 'jobs', set per transaction by the data layer like the tenant.
-- It is the one context that may see a delivery before its tenant is known.

create or replace function afenda.current_service() returns text
  language sql stable parallel safe
  as $$ select nullif(current_setting('app.service', true), '') $$;
grant execute on function afenda.current_service() to afenda_app_access;

-- The placeholder from 0001 was never written: deliveries need a row before their tenant is known.
drop table webhook_events;

create table webhook_deliveries (
  id uuid primary key default gen_random_uuid(),
  source text not null,
  delivery_id text not null,
  -- null until the delivery's account maps to an organisation (status 'unmapped')
  tenant_id uuid references tenants (id) on delete set null,
  account_ref text,
  event_type text not null,
  -- authenticity as received: the signature and its timestamp, and whether it was checked
  signature text,
  signed_at timestamptz,
  verified boolean not null,
  -- the raw body exactly as received (signatures are over these bytes)
  body text not null,
  status text not null default 'received',
  reason text,
  attempts integer not null default 0,
  last_error text,
  next_attempt_at timestamptz not null default now(),
  received_at timestamptz not null default now(),
  processed_at timestamptz,
  updated_at timestamptz not null default now(),
  constraint webhook_deliveries_status_check
    check (status in ('received', 'processed', 'ignored', 'unmapped', 'failed', 'dead')),
  constraint webhook_deliveries_source_format check (source ~ '^[a-z][a-z0-9_-]{0,31}$')
);
-- Deduplication happens before the tenant is known, so this key is global by necessity.
create unique index webhook_deliveries_delivery_key on webhook_deliveries (source, delivery_id);
create index webhook_deliveries_tenant_idx on webhook_deliveries (tenant_id, received_at desc, id desc);
create index webhook_deliveries_due_idx on webhook_deliveries (next_attempt_at)
  where status in ('received', 'failed');

create table conversations (
  tenant_id uuid not null references tenants (id) on delete cascade,
  id uuid not null default gen_random_uuid(),
  source text not null default 'chatwoot',
  account_id integer not null,
  display_id integer not null,
  inbox_id integer,
  status text not null default 'open',
  contact_name text,
  assignee_name text,
  assignee_email text,
  team_name text,
  labels text[] not null default '{}',
  last_message_preview text,
  last_activity_at timestamptz not null default now(),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  primary key (tenant_id, id),
  constraint conversations_status_check check (status in ('open', 'resolved', 'pending', 'snoozed'))
);
create unique index conversations_ref_key on conversations (tenant_id, source, account_id, display_id);
create index conversations_feed_idx on conversations (tenant_id, last_activity_at desc, id desc);

create table conversation_messages (
  tenant_id uuid not null,
  conversation_id uuid not null,
  id uuid not null default gen_random_uuid(),
  external_id text not null,
  direction text not null,
  private boolean not null default false,
  -- a note the orchestrator itself posted (its webhook echo must not loop)
  own boolean not null default false,
  sender_name text,
  content text not null default '',
  created_at timestamptz not null,
  primary key (tenant_id, id),
  foreign key (tenant_id, conversation_id) references conversations (tenant_id, id) on delete cascade,
  constraint conversation_messages_direction_check check (direction in ('incoming', 'outgoing', 'template'))
);
create unique index conversation_messages_external_key
  on conversation_messages (tenant_id, conversation_id, external_id);
create index conversation_messages_thread_idx
  on conversation_messages (tenant_id, conversation_id, created_at desc);

-- Calls into other tools (a private note on a Chatwoot conversation, ...), one per subject and
-- kind: retried with backoff, dead-lettered, replayable, like deliveries.
create table outbound_actions (
  tenant_id uuid not null references tenants (id) on delete cascade,
  id uuid not null default gen_random_uuid(),
  kind text not null,
  subject_id text not null,
  payload jsonb not null default '{}'::jsonb,
  status text not null default 'pending',
  attempts integer not null default 0,
  last_error text,
  result jsonb,
  next_attempt_at timestamptz not null default now(),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  done_at timestamptz,
  primary key (tenant_id, id),
  constraint outbound_actions_status_check check (status in ('pending', 'done', 'failed', 'dead'))
);
create unique index outbound_actions_subject_key on outbound_actions (tenant_id, kind, subject_id);
create index outbound_actions_status_idx on outbound_actions (tenant_id, status, created_at desc, id desc);
create index outbound_actions_due_idx on outbound_actions (next_attempt_at)
  where status in ('pending', 'failed');

do $$
declare t text;
begin
  foreach t in array array['webhook_deliveries', 'conversations', 'conversation_messages', 'outbound_actions'] loop
    execute format('alter table %I enable row level security', t);
    execute format('alter table %I force row level security', t);
  end loop;
  foreach t in array array['conversations', 'conversation_messages', 'outbound_actions'] loop
    execute format(
      'create policy %I on %I using (tenant_id = afenda.current_tenant_id()) with check (tenant_id = afenda.current_tenant_id())',
      t || '_tenant_isolation', t);
  end loop;
  -- the workers' sweepers find due work across tenants
  foreach t in array array['webhook_deliveries', 'outbound_actions'] loop
    execute format(
      'create policy %I on %I using (afenda.current_service() = ''jobs'') with check (afenda.current_service() = ''jobs'')',
      t || '_jobs', t);
  end loop;
end $$;

-- An organisation's own deliveries are visible to it (admins list them); writes are the jobs'.
create policy webhook_deliveries_tenant_read on webhook_deliveries for select
  using (tenant_id = afenda.current_tenant_id());
-- Which organisation a Chatwoot account belongs to is a module setting, read by ingestion.
create policy module_settings_jobs_read on module_settings for select
  using (afenda.current_service() = 'jobs');

grant select, insert, update on webhook_deliveries, conversations, conversation_messages, outbound_actions
  to afenda_app_access;
