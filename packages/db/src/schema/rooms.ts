import { pgTable, primaryKey, text, timestamp, uuid } from 'drizzle-orm/pg-core';

export const rooms = pgTable(
  'rooms',
  {
    tenantId: uuid('tenant_id').notNull(),
    id: uuid('id').notNull().defaultRandom(),
    approvalId: uuid('approval_id'),
    provider: text('provider').notNull().default('jitsi'),
    roomName: text('room_name').notNull(),
    status: text('status', { enum: ['open', 'closed', 'expired'] })
      .notNull()
      .default('open'),
    createdBy: uuid('created_by'),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    closedAt: timestamp('closed_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.id] })],
);
