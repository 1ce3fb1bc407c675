-- Offboarding (issue 15): when the directory changes, people who lost access leave the open
-- consultation rooms of that tenant. Finding which tenants have open rooms is the one read
-- across tenants: a transaction that sets app.job = 'rooms.offboard' sees the open rooms'
-- tenants (select only); each tenant's participants are then removed in its own context.
create policy rooms_open_for_offboarding on rooms for select
  using (coalesce(current_setting('app.job', true), '') = 'rooms.offboard' and status = 'open');

-- Offboarding removes participants (the only deletion of a participant).
grant delete on room_participants to afenda_app_access;
