import { DELIVERY_STATUSES } from '@afenda/contracts/webhooks';
import { boolean, integer, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';

export const webhookDeliveries = pgTable('webhook_deliveries', {
  id: uuid('id').primaryKey().defaultRandom(),
  source: text('source').notNull(),
  deliveryId: text('delivery_id').notNull(),
  tenantId: uuid('tenant_id'),
  accountRef: text('account_ref'),
  eventType: text('event_type').notNull(),
  signature: text('signature'),
  signedAt: timestamp('signed_at', { withTimezone: true }),
  verified: boolean('verified').notNull(),
  body: text('body').notNull(),
  /** false: only the headers were kept (an unmapped delivery over the limits); body is ''. */
  bodyKept: boolean('body_kept').notNull().default(true),
  /** The source's identity of the signed payload: the same one again is a replay. */
  replayKey: text('replay_key'),
  status: text('status', { enum: DELIVERY_STATUSES }).notNull().default('received'),
  reason: text('reason'),
  attempts: integer('attempts').notNull().default(0),
  lastError: text('last_error'),
  nextAttemptAt: timestamp('next_attempt_at', { withTimezone: true }).notNull().defaultNow(),
  receivedAt: timestamp('received_at', { withTimezone: true }).notNull().defaultNow(),
  processedAt: timestamp('processed_at', { withTimezone: true }),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});
