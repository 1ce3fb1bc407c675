-- Identity: resolving a verified token's subject to a user, login reconciles, the active tenant
-- of each session, and the record of every directory reconcile.

-- The verified token subject of the current transaction (set by authentication only).
create or replace function afenda.current_subject() returns text
  language sql stable parallel safe
  as $$ select nullif(current_setting('app.subject', true), '') $$;

-- A user may read their own row by the subject of a verified token.
create policy users_by_subject on users for select
  using (keycloak_id = afenda.current_subject());

-- The last login (token auth_time) whose memberships were reconciled for this user.
alter table users add column login_synced_at timestamptz;

-- The tenant a user last switched to, per session (the token's sid).
create table active_tenants (
  user_id uuid not null references users (id) on delete cascade,
  session_id text not null,
  tenant_id uuid not null references tenants (id) on delete cascade,
  updated_at timestamptz not null default now(),
  primary key (user_id, session_id)
);
alter table active_tenants enable row level security;
alter table active_tenants force row level security;
create policy active_tenants_own on active_tenants
  using (user_id = afenda.current_user_id())
  with check (user_id = afenda.current_user_id());

-- Every reconcile: what triggered it, what it changed. System records, read in sync context.
create table sync_runs (
  id uuid primary key default gen_random_uuid(),
  trigger text not null,
  source text not null,
  subject text,
  status text not null default 'running',
  started_at timestamptz not null default now(),
  finished_at timestamptz,
  result jsonb not null default '{}'::jsonb,
  error text,
  constraint sync_runs_trigger_check check (trigger in ('startup', 'schedule', 'login', 'webhook', 'manual')),
  constraint sync_runs_status_check check (status in ('running', 'succeeded', 'failed', 'skipped'))
);
create index sync_runs_started_idx on sync_runs (started_at desc);
alter table sync_runs enable row level security;
alter table sync_runs force row level security;
create policy sync_runs_sync on sync_runs using (afenda.in_sync()) with check (afenda.in_sync());

grant execute on all functions in schema afenda to afenda_app_access;
grant select, insert, update, delete on active_tenants to afenda_app_access;
grant select, insert, update on sync_runs to afenda_app_access;
grant update (login_synced_at) on users to afenda_app_access;
