-- "Approval requested" is done once the approval is decided, by anyone: the decision's
-- transaction marks every decider's notification about it read. Those rows are other users',
-- which the decider may neither see nor update; this function is the one way to, for one kind
-- and one subject in the transaction's tenant (app.resolve, set by the function for itself only,
-- as afenda.stream_tail sets app.fanout: greppable, never set by a request handler).
create or replace function afenda.in_resolve() returns boolean
  language sql stable parallel safe
  as $$ select coalesce(current_setting('app.resolve', true), '') = 'on' $$;

create policy notifications_resolve_read on notifications for select
  using (tenant_id = afenda.current_tenant_id() and afenda.in_resolve());
create policy notifications_resolve on notifications for update
  using (tenant_id = afenda.current_tenant_id() and afenda.in_resolve())
  with check (tenant_id = afenda.current_tenant_id() and afenda.in_resolve());

-- Marks read the transaction tenant's unread notifications of one kind about one subject, and
-- answers them (to tell their users' bells).
create or replace function afenda.resolve_notifications(
  resolve_kind text, resolve_subject_type text, resolve_subject_id text)
  returns setof notifications
  language plpgsql volatile
  as $$
  begin
    perform set_config('app.resolve', 'on', true);
    return query
      update notifications n set read_at = now()
      where n.tenant_id = afenda.current_tenant_id()
        and n.kind = resolve_kind
        and n.subject_type = resolve_subject_type
        and n.subject_id = resolve_subject_id
        and n.read_at is null
      returning n.*;
    perform set_config('app.resolve', '', true);
  end
  $$;

grant execute on all functions in schema afenda to afenda_app_access;
