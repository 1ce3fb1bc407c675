import { pgTable, primaryKey, text, timestamp, uuid } from 'drizzle-orm/pg-core';

export const ACCESS_STATUSES = ['in_sync', 'pending', 'repaired', 'failing'] as const;

/** What each tool should grant each person and what it had (migrations/0013_access_state.sql). */
export const accessState = pgTable(
  'access_state',
  {
    tenantId: uuid('tenant_id').notNull(),
    tool: text('tool').notNull(),
    subject: text('subject').notNull(),
    userId: uuid('user_id'),
    desired: text('desired'),
    actual: text('actual'),
    status: text('status', { enum: ACCESS_STATUSES }).notNull(),
    driftedAt: timestamp('drifted_at', { withTimezone: true }),
    driftWas: text('drift_was'),
    error: text('error'),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.tool, t.subject] })],
);
