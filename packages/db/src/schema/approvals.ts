import { jsonb, pgTable, primaryKey, text, timestamp, uuid } from 'drizzle-orm/pg-core';

export const approvals = pgTable(
  'approvals',
  {
    tenantId: uuid('tenant_id').notNull(),
    id: uuid('id').notNull().defaultRandom(),
    type: text('type').notNull(),
    status: text('status', { enum: ['draft', 'submitted', 'approved', 'rejected'] })
      .notNull()
      .default('draft'),
    title: text('title').notNull(),
    description: text('description').notNull().default(''),
    source: text('source').notNull().default('shell'),
    sourceRef: text('source_ref'),
    metadata: jsonb('metadata').$type<Record<string, unknown>>().notNull().default({}),
    requestedBy: uuid('requested_by').notNull(),
    decidedBy: uuid('decided_by'),
    decision: text('decision', { enum: ['approved', 'rejected'] }),
    decisionComment: text('decision_comment'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    submittedAt: timestamp('submitted_at', { withTimezone: true }),
    decidedAt: timestamp('decided_at', { withTimezone: true }),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.id] })],
);
