import { boolean, integer, pgTable, primaryKey, text, timestamp, uuid } from 'drizzle-orm/pg-core';

export const conversations = pgTable(
  'conversations',
  {
    tenantId: uuid('tenant_id').notNull(),
    id: uuid('id').notNull().defaultRandom(),
    source: text('source').notNull().default('chatwoot'),
    accountId: integer('account_id').notNull(),
    displayId: integer('display_id').notNull(),
    inboxId: integer('inbox_id'),
    status: text('status', { enum: ['open', 'resolved', 'pending', 'snoozed'] })
      .notNull()
      .default('open'),
    contactName: text('contact_name'),
    assigneeName: text('assignee_name'),
    assigneeEmail: text('assignee_email'),
    teamName: text('team_name'),
    labels: text('labels').array().notNull().default([]),
    lastMessagePreview: text('last_message_preview'),
    lastActivityAt: timestamp('last_activity_at', { withTimezone: true }).notNull().defaultNow(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.id] })],
);

export const conversationMessages = pgTable(
  'conversation_messages',
  {
    tenantId: uuid('tenant_id').notNull(),
    conversationId: uuid('conversation_id').notNull(),
    id: uuid('id').notNull().defaultRandom(),
    externalId: text('external_id').notNull(),
    direction: text('direction', { enum: ['incoming', 'outgoing', 'template'] }).notNull(),
    private: boolean('private').notNull().default(false),
    own: boolean('own').notNull().default(false),
    senderName: text('sender_name'),
    content: text('content').notNull().default(''),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.id] })],
);
