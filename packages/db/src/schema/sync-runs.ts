import { jsonb, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';

export const syncRuns = pgTable('sync_runs', {
  id: uuid('id').primaryKey().defaultRandom(),
  trigger: text('trigger', {
    enum: ['startup', 'schedule', 'login', 'webhook', 'manual', 'directory', 'drift'],
  }).notNull(),
  source: text('source').notNull(),
  subject: text('subject'),
  status: text('status', { enum: ['running', 'succeeded', 'failed', 'skipped'] })
    .notNull()
    .default('running'),
  startedAt: timestamp('started_at', { withTimezone: true }).notNull().defaultNow(),
  finishedAt: timestamp('finished_at', { withTimezone: true }),
  result: jsonb('result').$type<Record<string, unknown>>().notNull().default({}),
  error: text('error'),
});
