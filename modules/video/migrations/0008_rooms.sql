-- Consultation rooms (Jitsi): who is in each room, who moderates it, how it ended.
-- The foundation's rooms table gains its topic, moderator and end; a room opened by an approval
-- is unique per approval (what makes "exactly once, even when the effect is retried" hold).

alter table rooms rename column closed_at to ended_at;
alter table rooms drop constraint rooms_status_check;
update rooms set status = 'ended' where status = 'closed';
alter table rooms add constraint rooms_status_check check (status in ('open', 'ended', 'expired'));
alter table rooms add column topic text not null default '';
alter table rooms add column moderator_id uuid references users (id);
alter table rooms add column ended_by uuid references users (id);
alter table rooms add constraint rooms_room_name_length check (char_length(room_name) between 26 and 64);
alter table rooms add constraint rooms_ended_consistent check ((status = 'open') = (ended_at is null));

create unique index rooms_tenant_approval_key on rooms (tenant_id, approval_id) where approval_id is not null;
create index rooms_tenant_created_idx on rooms (tenant_id, created_at desc, id desc);
-- Open rooms by expiry: the sweeper's work list (small: open rooms only).
create index rooms_tenant_open_expiry_idx on rooms (tenant_id, expires_at) where status = 'open';

create table room_participants (
  tenant_id uuid not null,
  room_id uuid not null,
  user_id uuid not null references users (id),
  moderator boolean not null default false,
  added_at timestamptz not null default now(),
  -- Set once, by the first join that issued this user a token (the timeline's room.joined).
  first_joined_at timestamptz,
  primary key (tenant_id, room_id, user_id),
  foreign key (tenant_id, room_id) references rooms (tenant_id, id) on delete cascade
);
create index room_participants_user_idx on room_participants (tenant_id, user_id, room_id);
-- One moderator per room.
create unique index room_participants_one_moderator on room_participants (tenant_id, room_id) where moderator;

alter table room_participants enable row level security;
alter table room_participants force row level security;
create policy room_participants_tenant_isolation on room_participants
  using (tenant_id = afenda.current_tenant_id()) with check (tenant_id = afenda.current_tenant_id());

-- The expiry sweeper is the one reader across tenants: a transaction that sets
-- app.job = 'rooms.expire' sees which open rooms are past their expiry (tenant and id only
-- matter to it), then expires each inside its own tenant's context. Greppable, read-only.
create policy rooms_due_for_expiry on rooms for select
  using (
    coalesce(current_setting('app.job', true), '') = 'rooms.expire'
    and status = 'open'
    and expires_at <= now()
  );

grant select, insert, update on room_participants to afenda_app_access;
