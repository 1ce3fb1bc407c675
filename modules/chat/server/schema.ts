import { boolean, pgTable, primaryKey, text, timestamp, uuid } from 'drizzle-orm/pg-core';

export const CHAT_ROOM_KINDS = ['space', 'org', 'team', 'direct'] as const;
export type ChatRoomKind = (typeof CHAT_ROOM_KINDS)[number];

/** The rooms the orchestrator's bot created (migrations/0012_chat_rooms.sql). */
export const chatRooms = pgTable(
  'chat_rooms',
  {
    tenantId: uuid('tenant_id').notNull(),
    id: uuid('id').notNull().defaultRandom(),
    roomId: text('room_id').notNull(),
    kind: text('kind', { enum: CHAT_ROOM_KINDS }).notNull(),
    orgTenantId: uuid('org_tenant_id'),
    userId: uuid('user_id'),
    name: text('name').notNull(),
    lastEventAt: timestamp('last_event_at', { withTimezone: true }),
    lastSender: text('last_sender'),
    lastExcerpt: text('last_excerpt'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.id] })],
);

/** Approval notices the bot posted (to deciders, and in the requester's team room). */
export const chatNotices = pgTable(
  'chat_notices',
  {
    tenantId: uuid('tenant_id').notNull(),
    approvalId: uuid('approval_id').notNull(),
    userId: uuid('user_id'),
    roomId: text('room_id').notNull(),
    eventId: text('event_id').notNull(),
    awaitingReason: boolean('awaiting_reason').notNull().default(false),
    decided: boolean('decided').notNull().default(false),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.eventId] })],
);
