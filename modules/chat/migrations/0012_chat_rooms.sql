-- Team chat (Matrix): the rooms the orchestrator's bot created, one per organisation (its space
-- and its organisation-wide room), per team, and one direct room per person with the bot; and
-- the approval notices it posted, so a reply or a reaction finds its approval and the notice
-- can be edited to show the outcome. Nothing else of Matrix is kept: membership and power
-- levels are read back from Synapse on every reconcile.

create table chat_rooms (
  tenant_id uuid not null references tenants (id) on delete cascade,
  id uuid not null default gen_random_uuid(),
  -- Synapse's room id (!opaque:server): unique across the homeserver.
  room_id text not null unique,
  kind text not null check (kind in ('space', 'org', 'team', 'direct')),
  -- The organisation the room belongs to (itself for an organisation's rooms); null for direct
  -- rooms, which belong to a person (tenant_id is their personal tenant).
  org_tenant_id uuid references tenants (id) on delete cascade,
  -- Direct rooms: whose.
  user_id uuid references users (id) on delete cascade,
  name text not null,
  last_event_at timestamptz,
  last_sender text,
  last_excerpt text,
  created_at timestamptz not null default now(),
  primary key (tenant_id, id),
  constraint chat_rooms_direct_has_user check ((kind = 'direct') = (user_id is not null))
);
-- One room of each kind per tenant (a direct room: one per person).
create unique index chat_rooms_tenant_kind_key on chat_rooms (tenant_id, kind);
create index chat_rooms_org_idx on chat_rooms (org_tenant_id) where org_tenant_id is not null;

alter table chat_rooms enable row level security;
alter table chat_rooms force row level security;
create policy chat_rooms_tenant_isolation on chat_rooms
  using (tenant_id = afenda.current_tenant_id()) with check (tenant_id = afenda.current_tenant_id());
-- Background work (the application-service transactions, the room reconcile) maps Synapse's
-- room ids to tenants across organisations; never a request handler.
create policy chat_rooms_jobs on chat_rooms
  using (afenda.current_service() = 'jobs')
  with check (afenda.current_service() = 'jobs');

create table chat_notices (
  tenant_id uuid not null references tenants (id) on delete cascade,
  approval_id uuid not null,
  -- The decider it was sent to (in their direct room); null for the notice in the team room.
  user_id uuid references users (id) on delete cascade,
  room_id text not null,
  event_id text not null unique,
  -- A ❌ reaction asks for the reason; the next message in the room gives it.
  awaiting_reason boolean not null default false,
  decided boolean not null default false,
  created_at timestamptz not null default now(),
  primary key (tenant_id, event_id)
);
create unique index chat_notices_approval_user_key on chat_notices (approval_id, coalesce(user_id, '00000000-0000-0000-0000-000000000000'::uuid));
create index chat_notices_room_idx on chat_notices (room_id, created_at desc);

alter table chat_notices enable row level security;
alter table chat_notices force row level security;
create policy chat_notices_tenant_isolation on chat_notices
  using (tenant_id = afenda.current_tenant_id()) with check (tenant_id = afenda.current_tenant_id());
create policy chat_notices_jobs on chat_notices
  using (afenda.current_service() = 'jobs')
  with check (afenda.current_service() = 'jobs');

grant select, insert, update, delete on chat_rooms, chat_notices to afenda_app_access;
