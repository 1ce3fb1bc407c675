-- Retention (issue 17): tables that only grow are purged on a schedule by the job
-- retention.purge, in its own context (app.service = 'retention'). What that context may remove
-- is written here as well as in the job, so a mistake in the job cannot delete live data:
--
-- - idempotency keys and Shell sessions: only once expired (the context sees nothing else);
-- - webhook deliveries: only finished ones (processed, ignored, unmapped), never one still to
--   process or a dead letter still to replay; bodies are cleared before rows go;
-- - outbound actions: only done ones.

create index idempotency_keys_expiry_idx on idempotency_keys (expires_at);
create policy idempotency_keys_retention_read on idempotency_keys for select
  using (afenda.current_service() = 'retention' and expires_at < now());
create policy idempotency_keys_retention_purge on idempotency_keys for delete
  using (afenda.current_service() = 'retention' and expires_at < now());

create policy shell_sessions_retention_read on shell_sessions for select
  using (afenda.current_service() = 'retention' and expires_at < now());
create policy shell_sessions_retention_purge on shell_sessions for delete
  using (afenda.current_service() = 'retention' and expires_at < now());

-- The retention context reads and updates deliveries and outbound actions across tenants (like
-- the job workers); deleting is granted now, and limited by restrictive policies that every
-- context's delete must also pass.
create policy webhook_deliveries_retention on webhook_deliveries for all
  using (afenda.current_service() = 'retention') with check (afenda.current_service() = 'retention');
create policy webhook_deliveries_purge_finished on webhook_deliveries as restrictive for delete
  using (afenda.current_service() = 'retention'
         and status in ('processed', 'ignored', 'unmapped')
         and received_at < now() - interval '1 day');
create policy outbound_actions_retention on outbound_actions for all
  using (afenda.current_service() = 'retention') with check (afenda.current_service() = 'retention');
create policy outbound_actions_purge_done on outbound_actions as restrictive for delete
  using (afenda.current_service() = 'retention' and status = 'done');
grant delete on webhook_deliveries, outbound_actions to afenda_app_access;

-- Finding what is due without reading the tables: bodies still kept of finished deliveries by
-- when they finished; rows by when they arrived (append order: a BRIN index is a few pages).
create index webhook_deliveries_body_retention_idx on webhook_deliveries (processed_at)
  where body_kept and status in ('processed', 'ignored');
create index webhook_deliveries_received_brin on webhook_deliveries using brin (received_at);
create index outbound_actions_done_idx on outbound_actions (done_at) where status = 'done';
