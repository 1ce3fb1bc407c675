import {
  foreignKey,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uuid,
} from 'drizzle-orm/pg-core';

/** tldraw's store snapshot as stored: `{ schema, store: { <record id>: <record> } }`. */
export type StoredWhiteboardDocument = {
  schema: Record<string, unknown>;
  store: Record<string, Record<string, unknown>>;
};

export const whiteboards = pgTable(
  'whiteboards',
  {
    tenantId: uuid('tenant_id').notNull(),
    id: uuid('id').notNull().defaultRandom(),
    title: text('title').notNull(),
    document: jsonb('document').$type<StoredWhiteboardDocument>().notNull(),
    documentBytes: integer('document_bytes').notNull(),
    revision: integer('revision').notNull().default(1),
    createdBy: uuid('created_by'),
    updatedBy: uuid('updated_by'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
    deletedAt: timestamp('deleted_at', { withTimezone: true }),
    deletedBy: uuid('deleted_by'),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.id] })],
);

export const whiteboardVersions = pgTable(
  'whiteboard_versions',
  {
    tenantId: uuid('tenant_id').notNull(),
    boardId: uuid('board_id').notNull(),
    version: integer('version').notNull(),
    document: jsonb('document').$type<StoredWhiteboardDocument>().notNull(),
    documentBytes: integer('document_bytes').notNull(),
    revision: integer('revision').notNull(),
    reason: text('reason', {
      enum: ['created', 'autosave', 'manual', 'before_restore'],
    }).notNull(),
    label: text('label'),
    createdBy: uuid('created_by'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.boardId, t.version] }),
    foreignKey({
      columns: [t.tenantId, t.boardId],
      foreignColumns: [whiteboards.tenantId, whiteboards.id],
    }),
  ],
);

export const whiteboardLinks = pgTable(
  'whiteboard_links',
  {
    tenantId: uuid('tenant_id').notNull(),
    boardId: uuid('board_id').notNull(),
    subjectType: text('subject_type', { enum: ['approval', 'conversation'] }).notNull(),
    subjectId: text('subject_id').notNull(),
    createdBy: uuid('created_by'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.boardId, t.subjectType, t.subjectId] })],
);
