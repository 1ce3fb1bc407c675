import { sql } from 'drizzle-orm';
import {
  bigint,
  customType,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uuid,
} from 'drizzle-orm/pg-core';

/** PostgreSQL xid8 (a 64-bit transaction id) as a decimal string. */
const xid8 = customType<{ data: string; driverData: string }>({ dataType: () => 'xid8' });

export const streamEvents = pgTable(
  'stream_events',
  {
    tenantId: uuid('tenant_id').notNull(),
    txId: xid8('tx_id')
      .notNull()
      .default(sql`pg_current_xact_id()`),
    id: bigint('id', { mode: 'bigint' }).notNull().generatedAlwaysAsIdentity(),
    userId: uuid('user_id'),
    name: text('name', {
      enum: ['notification', 'activity', 'approval', 'conversation'],
    }).notNull(),
    payload: jsonb('payload').$type<unknown>().notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    /** Its place in the stream (0017): taken as the writer's last statement, see stream_next. */
    seq: bigint('seq', { mode: 'bigint' })
      .notNull()
      .default(sql`afenda.stream_next()`),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.txId, t.id] })],
);
