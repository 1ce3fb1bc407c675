import { pgTable, primaryKey, text, timestamp, uuid } from 'drizzle-orm/pg-core';

export const activeTenants = pgTable(
  'active_tenants',
  {
    userId: uuid('user_id').notNull(),
    sessionId: text('session_id').notNull(),
    tenantId: uuid('tenant_id').notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.sessionId] })],
);
