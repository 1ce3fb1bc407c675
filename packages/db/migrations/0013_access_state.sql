-- Keycloak as the one source of access (issue 15): what each tool should grant each person, what
-- it was last seen granting, and how that ended. One row per organisation, tool and subject (a
-- person's place in the tool: "@alice:example.org in Acme — Support", a Chatwoot agent, ...),
-- written by the access reconcile; read by the Access page (GET /api/v1/access).

create table access_state (
  tenant_id uuid not null references tenants (id) on delete cascade,
  tool text not null,
  subject text not null,
  user_id uuid references users (id) on delete cascade,
  -- What the directory says (null: nothing at all) and what the tool had at the last run.
  desired text,
  actual text,
  status text not null,
  -- The last time the tool held something else than the directory without the directory having
  -- changed (a local edit), and what it held then.
  drifted_at timestamptz,
  drift_was text,
  error text,
  updated_at timestamptz not null default now(),
  primary key (tenant_id, tool, subject),
  constraint access_state_status_check check (status in ('in_sync', 'pending', 'repaired', 'failing'))
);
create index access_state_user_idx on access_state (tenant_id, user_id);

alter table access_state enable row level security;
alter table access_state force row level security;
create policy access_state_tenant_isolation on access_state
  using (tenant_id = afenda.current_tenant_id()) with check (tenant_id = afenda.current_tenant_id());
create policy access_state_jobs on access_state
  using (afenda.current_service() = 'jobs') with check (afenda.current_service() = 'jobs');
grant select, insert, update, delete on access_state to afenda_app_access;

-- Access runs are recorded with the directory's, under source 'access:<tool>'.
alter table sync_runs drop constraint sync_runs_trigger_check;
alter table sync_runs add constraint sync_runs_trigger_check
  check (trigger in ('startup', 'schedule', 'login', 'webhook', 'manual', 'directory', 'drift'));

-- Offboarding: the directory sync (its own context) ends a disabled user's Shell sessions. (A
-- DELETE with a WHERE clause must also see the rows, hence for all; the Shell never syncs.)
create policy shell_sessions_offboarding on shell_sessions
  using (afenda.in_sync()) with check (afenda.in_sync());
