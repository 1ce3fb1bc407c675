-- Foundation: tenants, users, memberships, and the tables the brief names.
-- Runs as the owner role (see migrate.ts): the application role owns nothing and every
-- tenant-owned table has FORCE ROW LEVEL SECURITY, so not even the owner bypasses policies.


create schema if not exists afenda;

-- The tenant and user of the current transaction, set with set_config(..., true) by the
-- data layer. An unset or empty setting is NULL, which matches no row.
create or replace function afenda.current_tenant_id() returns uuid
  language sql stable parallel safe
  as $$ select nullif(current_setting('app.tenant_id', true), '')::uuid $$;

create or replace function afenda.current_user_id() returns uuid
  language sql stable parallel safe
  as $$ select nullif(current_setting('app.user_id', true), '')::uuid $$;

create type tenant_kind as enum ('organization', 'team', 'individual');
create type member_role as enum ('owner', 'admin', 'member', 'viewer');

-- Directory tables: written by the identity sync (Keycloak is the source of truth), read by
-- the application through the policies below.
create table tenants (
  id uuid primary key default gen_random_uuid(),
  kind tenant_kind not null,
  parent_id uuid references tenants (id) on delete restrict,
  slug text not null,
  name text not null,
  keycloak_group_id text,
  keycloak_group_path text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint tenants_team_has_parent check ((kind = 'team') = (parent_id is not null)),
  constraint tenants_slug_format check (slug ~ '^[a-z0-9][a-z0-9-]{0,62}$')
);
create unique index tenants_group_path_key on tenants (keycloak_group_path) where keycloak_group_path is not null;
create unique index tenants_parent_slug_key on tenants (coalesce(parent_id, '00000000-0000-0000-0000-000000000000'::uuid), slug);

create table users (
  id uuid primary key default gen_random_uuid(),
  keycloak_id text not null unique,
  username text not null,
  email text,
  display_name text not null,
  enabled boolean not null default true,
  personal_tenant_id uuid references tenants (id) on delete set null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

create table user_tenants (
  tenant_id uuid not null references tenants (id) on delete cascade,
  user_id uuid not null references users (id) on delete cascade,
  role member_role not null,
  can_approve boolean not null default false,
  created_at timestamptz not null default now(),
  primary key (tenant_id, user_id)
);
create index user_tenants_user_idx on user_tenants (user_id, tenant_id);

-- Tenant-owned tables: tenant_id first in every index.
create table approvals (
  tenant_id uuid not null references tenants (id) on delete cascade,
  id uuid not null default gen_random_uuid(),
  type text not null,
  status text not null default 'draft',
  title text not null,
  source text not null default 'shell',
  source_ref text,
  metadata jsonb not null default '{}'::jsonb,
  requested_by uuid not null references users (id),
  decided_by uuid references users (id),
  decision_comment text,
  created_at timestamptz not null default now(),
  submitted_at timestamptz,
  decided_at timestamptz,
  updated_at timestamptz not null default now(),
  primary key (tenant_id, id),
  constraint approvals_status_check check (status in ('draft', 'submitted', 'approved', 'rejected'))
);
create index approvals_tenant_status_idx on approvals (tenant_id, status, created_at desc, id desc);

create table activity_timeline (
  tenant_id uuid not null references tenants (id) on delete cascade,
  id uuid not null default gen_random_uuid(),
  occurred_at timestamptz not null default now(),
  actor_id uuid references users (id),
  source text not null,
  verb text not null,
  subject_type text not null,
  subject_id text not null,
  summary text not null,
  data jsonb not null default '{}'::jsonb,
  primary key (tenant_id, id)
);
create index activity_timeline_feed_idx on activity_timeline (tenant_id, occurred_at desc, id desc);

create table rooms (
  tenant_id uuid not null references tenants (id) on delete cascade,
  id uuid not null default gen_random_uuid(),
  approval_id uuid,
  provider text not null default 'jitsi',
  room_name text not null,
  status text not null default 'open',
  created_by uuid references users (id),
  expires_at timestamptz not null,
  closed_at timestamptz,
  created_at timestamptz not null default now(),
  primary key (tenant_id, id),
  foreign key (tenant_id, approval_id) references approvals (tenant_id, id),
  constraint rooms_status_check check (status in ('open', 'closed', 'expired'))
);
create unique index rooms_tenant_name_key on rooms (tenant_id, room_name);

create table webhook_events (
  tenant_id uuid not null references tenants (id) on delete cascade,
  id uuid not null default gen_random_uuid(),
  source text not null,
  delivery_id text not null,
  event_type text not null,
  headers jsonb not null default '{}'::jsonb,
  payload jsonb not null,
  status text not null default 'pending',
  attempts integer not null default 0,
  next_attempt_at timestamptz not null default now(),
  last_error text,
  received_at timestamptz not null default now(),
  processed_at timestamptz,
  primary key (tenant_id, id),
  constraint webhook_events_status_check check (status in ('pending', 'processing', 'processed', 'failed', 'dead'))
);
create unique index webhook_events_delivery_key on webhook_events (tenant_id, source, delivery_id);
create index webhook_events_due_idx on webhook_events (tenant_id, status, next_attempt_at);

-- Per-tenant module settings. Secret columns hold AES-256-GCM ciphertext (see
-- packages/db/src/secrets.ts); the key lives in the environment, never in the database.
create table module_settings (
  tenant_id uuid not null references tenants (id) on delete cascade,
  module text not null,
  enabled boolean not null default false,
  base_url text,
  api_token_encrypted bytea,
  webhook_secret_encrypted bytea,
  options jsonb not null default '{}'::jsonb,
  updated_at timestamptz not null default now(),
  primary key (tenant_id, module),
  constraint module_settings_module_format check (module ~ '^[a-z][a-z0-9-]{0,31}$')
);

-- Row-level security. FORCE makes the policies apply to the table owner as well.
-- Directory tables are written only inside an explicit sync transaction (app.sync = 'on'), the
-- one place that acts across tenants: Keycloak reconciles and demo seeding go through it.
create or replace function afenda.in_sync() returns boolean
  language sql stable parallel safe
  as $$ select coalesce(current_setting('app.sync', true), '') = 'on' $$;

alter table tenants enable row level security;
alter table tenants force row level security;
alter table users enable row level security;
alter table users force row level security;
alter table user_tenants enable row level security;
alter table user_tenants force row level security;

create policy tenants_sync on tenants for all using (afenda.in_sync()) with check (afenda.in_sync());
create policy users_sync on users for all using (afenda.in_sync()) with check (afenda.in_sync());
create policy user_tenants_sync on user_tenants for all using (afenda.in_sync()) with check (afenda.in_sync());

-- A membership row is visible to its own user and inside its tenant.
create policy user_tenants_visible on user_tenants for select
  using (user_id = afenda.current_user_id() or tenant_id = afenda.current_tenant_id());
-- A tenant is visible when it is the current one or the current user belongs to it.
create policy tenants_visible on tenants for select
  using (
    id = afenda.current_tenant_id()
    or exists (
      select 1 from user_tenants ut
      where ut.tenant_id = tenants.id and ut.user_id = afenda.current_user_id()
    )
  );
-- A user is visible to themself and to members of the current tenant.
create policy users_visible on users for select
  using (
    id = afenda.current_user_id()
    or exists (
      select 1 from user_tenants ut
      where ut.user_id = users.id and ut.tenant_id = afenda.current_tenant_id()
    )
  );

do $$
declare t text;
begin
  foreach t in array array['approvals', 'activity_timeline', 'rooms', 'webhook_events', 'module_settings'] loop
    execute format('alter table %I enable row level security', t);
    execute format('alter table %I force row level security', t);
    execute format(
      'create policy %I on %I using (tenant_id = afenda.current_tenant_id()) with check (tenant_id = afenda.current_tenant_id())',
      t || '_tenant_isolation', t);
  end loop;
end $$;

-- The timeline is append-only for the application.
create or replace function afenda.forbid_mutation() returns trigger language plpgsql as $$
begin
  raise exception '% is append-only', tg_table_name using errcode = '42501';
end $$;
create trigger activity_timeline_append_only before update or delete on activity_timeline
  for each row execute function afenda.forbid_mutation();

-- Privileges for the application: afenda_app_access is the group role the login role joins.
grant usage on schema public, afenda to afenda_app_access;
grant execute on all functions in schema afenda to afenda_app_access;
grant select, insert, update, delete on tenants, users, user_tenants, approvals, rooms, webhook_events, module_settings to afenda_app_access;
grant select, insert on activity_timeline to afenda_app_access;
