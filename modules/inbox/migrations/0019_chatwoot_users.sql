-- The Inbox (Chatwoot): which Chatwoot user the access reconcile created or adopted through the
-- Platform API for an e-mail address, per organisation. Chatwoot's account users carry only a
-- user id, and the Platform API has no way to find a user by e-mail short of adopting it again:
-- this is the one thing about Chatwoot's people kept here; roles and team memberships are read
-- back from Chatwoot on every reconcile. user_id is null for the reconcile's own administrator.

create table inbox_chatwoot_users (
  tenant_id uuid not null references tenants (id) on delete cascade,
  email text not null,
  chatwoot_user_id integer not null,
  user_id uuid references users (id) on delete set null,
  created_at timestamptz not null default now(),
  primary key (tenant_id, email)
);

alter table inbox_chatwoot_users enable row level security;
alter table inbox_chatwoot_users force row level security;
create policy inbox_chatwoot_users_tenant_isolation on inbox_chatwoot_users
  using (tenant_id = afenda.current_tenant_id()) with check (tenant_id = afenda.current_tenant_id());
-- The access reconcile runs as background work.
create policy inbox_chatwoot_users_jobs on inbox_chatwoot_users
  using (afenda.current_service() = 'jobs')
  with check (afenda.current_service() = 'jobs');

grant select, insert, update, delete on inbox_chatwoot_users to afenda_app_access;
