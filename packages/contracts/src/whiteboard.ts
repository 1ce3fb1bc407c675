import { z } from 'zod';
import { INT32_MAX } from './storable.ts';

/**
 * Whiteboards: tldraw documents per tenant, their versions and links. The document is tldraw's
 * store snapshot (`getSnapshot(editor.store).document`): its schema (record versions) and its
 * records by id. The orchestrator checks every record against tldraw's own validators too.
 */
export const whiteboardDocumentSchema = z
  .object({
    schema: z
      .object({ schemaVersion: z.number().int().min(1).max(INT32_MAX) })
      .loose()
      .describe("tldraw's serialized schema: the record versions the document was written with"),
    store: z
      .record(
        z.string().min(1).max(200),
        z.object({ id: z.string().min(1).max(200), typeName: z.string().min(1).max(64) }).loose(),
      )
      .describe('Every record of the document, by id'),
  })
  .meta({ id: 'WhiteboardDocument' });
export type WhiteboardDocument = z.infer<typeof whiteboardDocumentSchema>;

export const WHITEBOARD_SUBJECT_TYPES = ['approval', 'conversation'] as const;
export const whiteboardSubjectTypeSchema = z.enum(WHITEBOARD_SUBJECT_TYPES);
export type WhiteboardSubjectType = z.infer<typeof whiteboardSubjectTypeSchema>;

export const whiteboardLinkSchema = z
  .object({
    boardId: z.uuid(),
    subjectType: whiteboardSubjectTypeSchema,
    subjectId: z.string(),
    createdBy: z.uuid().nullable(),
    createdAt: z.iso.datetime({ offset: true }),
  })
  .meta({ id: 'WhiteboardLink' });
export type WhiteboardLink = z.infer<typeof whiteboardLinkSchema>;

export const whiteboardSchema = z
  .object({
    id: z.uuid(),
    tenantId: z.uuid(),
    title: z.string(),
    revision: z.number().int().describe('Bumped by every saved change'),
    sizeBytes: z.number().int().describe('The document as JSON, in bytes'),
    createdBy: z.uuid().nullable(),
    updatedBy: z.uuid().nullable(),
    createdAt: z.iso.datetime({ offset: true }),
    updatedAt: z.iso.datetime({ offset: true }),
    deletedAt: z.iso.datetime({ offset: true }).nullable().describe('Set while in the bin'),
  })
  .meta({ id: 'Whiteboard' });
export type Whiteboard = z.infer<typeof whiteboardSchema>;

export const whiteboardDetailSchema = whiteboardSchema
  .extend({
    document: whiteboardDocumentSchema,
    links: z.array(whiteboardLinkSchema),
    limitBytes: z.number().int().describe('The largest document this board may hold'),
  })
  .meta({ id: 'WhiteboardDetail' });
export type WhiteboardDetail = z.infer<typeof whiteboardDetailSchema>;

const title = z.string().trim().min(1).max(200);

export const createWhiteboardBodySchema = z
  .object({
    title,
    document: whiteboardDocumentSchema
      .optional()
      .describe('Start from this document (default: empty)'),
    link: z
      .object({ subjectType: whiteboardSubjectTypeSchema, subjectId: z.string().min(1).max(200) })
      .optional()
      .describe('Attach the new board to an approval or a conversation at once'),
  })
  .meta({ id: 'CreateWhiteboard' });

export const renameWhiteboardBodySchema = z.object({ title }).meta({ id: 'RenameWhiteboard' });

export const saveWhiteboardDocumentBodySchema = z
  .object({
    document: whiteboardDocumentSchema,
    baseRevision: z
      .number()
      .int()
      .min(1)
      .max(INT32_MAX)
      .optional()
      .describe('The revision this change started from: 409 if the board moved on meanwhile'),
  })
  .meta({ id: 'SaveWhiteboardDocument' });

export const WHITEBOARD_VERSION_REASONS = [
  'created',
  'autosave',
  'manual',
  'before_restore',
] as const;

export const whiteboardVersionSchema = z
  .object({
    boardId: z.uuid(),
    version: z.number().int(),
    revision: z.number().int().describe("The board's revision this version captured"),
    reason: z.enum(WHITEBOARD_VERSION_REASONS),
    label: z.string().nullable(),
    sizeBytes: z.number().int(),
    createdBy: z.uuid().nullable(),
    createdAt: z.iso.datetime({ offset: true }),
  })
  .meta({ id: 'WhiteboardVersion' });
export type WhiteboardVersion = z.infer<typeof whiteboardVersionSchema>;

export const whiteboardVersionDetailSchema = whiteboardVersionSchema
  .extend({ document: whiteboardDocumentSchema })
  .meta({ id: 'WhiteboardVersionDetail' });
export type WhiteboardVersionDetail = z.infer<typeof whiteboardVersionDetailSchema>;

export const createWhiteboardVersionBodySchema = z
  .object({ label: z.string().trim().min(1).max(200).optional() })
  .default({});

export const linkWhiteboardBodySchema = z
  .object({
    subjectType: whiteboardSubjectTypeSchema,
    subjectId: z.string().trim().min(1).max(200),
  })
  .meta({ id: 'LinkWhiteboard' });

export const whiteboardListQuerySchema = z.object({
  status: z.enum(['active', 'deleted']).default('active').describe('deleted: the bin'),
  subject_type: whiteboardSubjectTypeSchema.optional(),
  subject_id: z.string().max(200).optional().describe('With subject_type: boards linked to it'),
  limit: z.coerce.number().int().min(1).max(100).default(50),
  cursor: z.string().max(200).optional(),
});

/** A short-lived, single-use ticket to open the board's live sync socket (see docs/whiteboard.md). */
export const whiteboardTicketSchema = z
  .object({
    ticket: z.string(),
    url: z.string().describe('The WebSocket URL to open, ticket included'),
    expiresAt: z.iso.datetime({ offset: true }),
    readonly: z.boolean().describe('Viewers follow along but cannot edit'),
  })
  .meta({ id: 'WhiteboardTicket' });
export type WhiteboardTicket = z.infer<typeof whiteboardTicketSchema>;

/** Messages the sync server sends a board's editors besides tldraw's own protocol. */
export const whiteboardSyncNoticeSchema = z.object({
  type: z.literal('afenda.notice'),
  code: z.enum(['WHITEBOARD_TOO_LARGE', 'WHITEBOARD_SAVE_FAILED']),
  message: z.string(),
  details: z.record(z.string(), z.unknown()),
});
export type WhiteboardSyncNotice = z.infer<typeof whiteboardSyncNoticeSchema>;
