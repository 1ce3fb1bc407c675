import { boolean, pgTable, primaryKey, text, timestamp, uuid } from 'drizzle-orm/pg-core';

export const ROOM_STATUSES = ['open', 'ended', 'expired'] as const;

export const rooms = pgTable(
  'rooms',
  {
    tenantId: uuid('tenant_id').notNull(),
    id: uuid('id').notNull().defaultRandom(),
    approvalId: uuid('approval_id'),
    roomName: text('room_name').notNull(),
    topic: text('topic').notNull().default(''),
    status: text('status', { enum: ROOM_STATUSES }).notNull().default('open'),
    createdBy: uuid('created_by'),
    moderatorId: uuid('moderator_id'),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    endedAt: timestamp('ended_at', { withTimezone: true }),
    endedBy: uuid('ended_by'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.id] })],
);

export const roomParticipants = pgTable(
  'room_participants',
  {
    tenantId: uuid('tenant_id').notNull(),
    roomId: uuid('room_id').notNull(),
    userId: uuid('user_id').notNull(),
    moderator: boolean('moderator').notNull().default(false),
    addedAt: timestamp('added_at', { withTimezone: true }).notNull().defaultNow(),
    firstJoinedAt: timestamp('first_joined_at', { withTimezone: true }),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.roomId, t.userId] })],
);
