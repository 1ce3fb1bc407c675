import type {
  Whiteboard,
  WhiteboardDetail,
  WhiteboardDocument,
  WhiteboardSubjectType,
} from '@afenda/contracts';
import type { Database, Tx } from '@afenda/db';
import type { StoredWhiteboardDocument } from './schema.ts';
import { and, desc, eq, getTableColumns, isNotNull, isNull, sql } from 'drizzle-orm';
import { conflict } from '@afenda/platform/errors';
import { beyond, cursorTime, decodeCursor, encodeCursor } from '@afenda/platform/cursor';
import { recordActivity } from '@afenda/platform/activity/record-activity';
import { emptyDocument, validateDocument } from './document.ts';
import { attachLink } from './links.ts';
import {
  addVersion,
  assertMayEdit,
  L,
  loadBoard,
  measure,
  toLink,
  toWhiteboard,
  W,
  writeDocument,
  type Actor,
  type WhiteboardSettings,
} from './whiteboards.ts';

const activity = (
  tx: Tx,
  actor: Actor,
  boardId: string,
  verb: string,
  title: string,
  data: Record<string, unknown> = {},
) =>
  recordActivity(tx, {
    tenantId: actor.tenantId,
    actorId: actor.userId,
    source: 'whiteboard',
    subjectType: 'whiteboard',
    subjectId: boardId,
    verb,
    title,
    data,
  });

export async function createWhiteboard(
  database: Database,
  actor: Actor,
  settings: WhiteboardSettings,
  input: {
    title: string;
    document?: WhiteboardDocument;
    link?: { subjectType: WhiteboardSubjectType; subjectId: string };
  },
): Promise<Whiteboard> {
  assertMayEdit(actor);
  const document = input.document ? validateDocument(input.document) : emptyDocument();
  const bytes = measure(document, settings);
  return database.withTenant(
    actor.tenantId,
    async (tx) => {
      const [row] = await tx
        .insert(W)
        .values({
          tenantId: actor.tenantId,
          title: input.title,
          document,
          documentBytes: bytes,
          createdBy: actor.userId,
          updatedBy: actor.userId,
        })
        .returning();
      const board = row!;
      await addVersion(tx, board, 'created', actor.userId, settings);
      await activity(tx, actor, board.id, 'created', `Whiteboard created: ${board.title}`);
      if (input.link) await attachLink(tx, actor, board, input.link);
      return toWhiteboard(board);
    },
    actor.userId,
  );
}

export async function getWhiteboard(
  database: Database,
  actor: Actor,
  settings: WhiteboardSettings,
  id: string,
): Promise<WhiteboardDetail> {
  return database.withTenant(
    actor.tenantId,
    async (tx) => {
      const board = await loadBoard(tx, actor.tenantId, id);
      const links = await tx
        .select()
        .from(L)
        .where(and(eq(L.tenantId, actor.tenantId), eq(L.boardId, id)))
        .orderBy(L.createdAt);
      return {
        ...toWhiteboard(board),
        document: board.document as WhiteboardDetail['document'],
        links: links.map(toLink),
        limitBytes: settings.maxBytes,
      };
    },
    actor.userId,
  );
}

/** The current document only (the sync room's starting point). */
export async function readDocument(
  database: Database,
  tenantId: string,
  id: string,
): Promise<StoredWhiteboardDocument> {
  return database.withTenant(
    tenantId,
    async (tx) => (await loadBoard(tx, tenantId, id, { active: true })).document,
  );
}

export interface WhiteboardFilters {
  status: 'active' | 'deleted';
  subject_type?: WhiteboardSubjectType;
  subject_id?: string;
  limit: number;
  cursor?: string;
}

/** Most recently changed first (the bin: most recently deleted first), keyset-paginated. */
export async function listWhiteboards(
  database: Database,
  actor: Actor,
  f: WhiteboardFilters,
): Promise<{ boards: Whiteboard[]; nextCursor: string | null }> {
  const cursor = decodeCursor(f.cursor);
  const deleted = f.status === 'deleted';
  const time = deleted ? W.deletedAt : W.updatedAt;
  const { document: _document, ...columns } = getTableColumns(W);
  const rows = await database.withTenant(
    actor.tenantId,
    (tx) => {
      const base = tx.select({ ...columns, cursorAt: cursorTime(time) }).from(W);
      const linked =
        f.subject_type && f.subject_id
          ? base.innerJoin(
              L,
              and(
                eq(L.tenantId, W.tenantId),
                eq(L.boardId, W.id),
                eq(L.subjectType, f.subject_type),
                eq(L.subjectId, f.subject_id),
              ),
            )
          : base;
      return linked
        .where(
          and(
            eq(W.tenantId, actor.tenantId),
            deleted ? isNotNull(W.deletedAt) : isNull(W.deletedAt),
            cursor ? beyond(time, W.id, cursor, 'before') : undefined,
          ),
        )
        .orderBy(desc(time), desc(W.id))
        .limit(f.limit + 1);
    },
    actor.userId,
  );
  const page = rows.slice(0, f.limit);
  const last = page.at(-1);
  return {
    boards: page.map(toWhiteboard),
    nextCursor: rows.length > f.limit && last ? encodeCursor(last.cursorAt, last.id) : null,
  };
}

export async function renameWhiteboard(
  database: Database,
  actor: Actor,
  id: string,
  title: string,
): Promise<Whiteboard> {
  assertMayEdit(actor);
  return database.withTenant(
    actor.tenantId,
    async (tx) => {
      const board = await loadBoard(tx, actor.tenantId, id, { lock: true, active: true });
      const [row] = await tx
        .update(W)
        .set({ title, updatedBy: actor.userId, updatedAt: sql`now()` })
        .where(and(eq(W.tenantId, actor.tenantId), eq(W.id, board.id)))
        .returning();
      if (board.title !== title)
        await activity(tx, actor, id, 'renamed', `Whiteboard renamed: ${title}`, {
          from: board.title,
        });
      return toWhiteboard(row!);
    },
    actor.userId,
  );
}

/** Into the bin (recoverable), or back out of it. */
export async function setDeleted(
  database: Database,
  actor: Actor,
  id: string,
  deleted: boolean,
): Promise<Whiteboard> {
  assertMayEdit(actor);
  return database.withTenant(
    actor.tenantId,
    async (tx) => {
      const board = await loadBoard(tx, actor.tenantId, id, { lock: true });
      if (Boolean(board.deletedAt) === deleted) return toWhiteboard(board); // already so: idempotent
      const [row] = await tx
        .update(W)
        .set(
          deleted
            ? { deletedAt: sql`now()`, deletedBy: actor.userId }
            : { deletedAt: null, deletedBy: null, updatedAt: sql`now()` },
        )
        .where(and(eq(W.tenantId, actor.tenantId), eq(W.id, id)))
        .returning();
      await activity(
        tx,
        actor,
        id,
        deleted ? 'deleted' : 'recovered',
        deleted
          ? `Whiteboard moved to the bin: ${board.title}`
          : `Whiteboard recovered: ${board.title}`,
      );
      return toWhiteboard(row!);
    },
    actor.userId,
  );
}

/** A whole new document from a client (autosave without live sync, imports). */
export async function saveDocument(
  database: Database,
  actor: Actor,
  settings: WhiteboardSettings,
  id: string,
  input: { document: WhiteboardDocument; baseRevision?: number },
): Promise<{ board: Whiteboard; document: StoredWhiteboardDocument }> {
  assertMayEdit(actor);
  const document = validateDocument(input.document);
  const bytes = measure(document, settings);
  return database.withTenant(
    actor.tenantId,
    async (tx) => {
      const board = await loadBoard(tx, actor.tenantId, id, { lock: true, active: true });
      if (input.baseRevision !== undefined && input.baseRevision !== board.revision) {
        throw conflict('The board changed since this copy was loaded: reload it and try again', {
          baseRevision: input.baseRevision,
          revision: board.revision,
        });
      }
      const row = await writeDocument(tx, board, document, bytes, actor.userId, settings);
      return { board: toWhiteboard(row), document };
    },
    actor.userId,
  );
}

/** What the live room persists: no actor check (the ticket was checked at connect). */
export async function persistLiveDocument(
  database: Database,
  tenantId: string,
  id: string,
  document: StoredWhiteboardDocument,
  bytes: number,
  actorId: string | null,
  settings: WhiteboardSettings,
): Promise<void> {
  await database.withTenant(
    tenantId,
    async (tx) => {
      const board = await loadBoard(tx, tenantId, id, { lock: true, active: true });
      await writeDocument(tx, board, document, bytes, actorId, settings);
    },
    actorId,
  );
}
