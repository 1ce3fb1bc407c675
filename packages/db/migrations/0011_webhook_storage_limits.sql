-- Webhook storage abuse (issue 19).
--
-- replay_key: what a source says identifies the signed payload (Chatwoot: a hash of its signed
-- timestamp and body). The same signed bytes under a new delivery id are a replay: one row per
-- (source, replay_key), like (source, delivery_id).
alter table webhook_deliveries add column replay_key text;
create unique index webhook_deliveries_replay_key on webhook_deliveries (source, replay_key)
  where replay_key is not null;

-- body_kept: false when only the delivery's headers were kept (an unmapped delivery over the
-- limits WEBHOOK_UNMAPPED_MAX_PER_ACCOUNT / WEBHOOK_UNMAPPED_MAX_TOTAL): body is then ''.
alter table webhook_deliveries add column body_kept boolean not null default true;
alter table webhook_deliveries add constraint webhook_deliveries_body_kept_check
  check (body_kept or body = '');

-- The limits count the unmapped deliveries whose body was kept, per source and account.
create index webhook_deliveries_unmapped_idx on webhook_deliveries (source, account_ref)
  where status = 'unmapped' and body_kept;
