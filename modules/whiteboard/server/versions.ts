import type { Whiteboard, WhiteboardVersion, WhiteboardVersionDetail } from '@afenda/contracts';
import type { Database } from '@afenda/db';
import type { StoredWhiteboardDocument } from './schema.ts';
import { and, desc, eq, getTableColumns } from 'drizzle-orm';
import { AppError } from '@afenda/platform/errors';
import { recordActivity } from '@afenda/platform/activity/record-activity';
import {
  addVersion,
  assertMayEdit,
  loadBoard,
  toVersion,
  toWhiteboard,
  V,
  writeDocument,
  type Actor,
  type WhiteboardSettings,
} from './whiteboards.ts';

const versionNotFound = () =>
  new AppError('WHITEBOARD_VERSION_NOT_FOUND', 404, 'That version of the board does not exist');

/** Newest first, without their documents. */
export async function listVersions(
  database: Database,
  actor: Actor,
  id: string,
): Promise<WhiteboardVersion[]> {
  const { document: _document, ...columns } = getTableColumns(V);
  return database.withTenant(
    actor.tenantId,
    async (tx) => {
      await loadBoard(tx, actor.tenantId, id);
      const rows = await tx
        .select(columns)
        .from(V)
        .where(and(eq(V.tenantId, actor.tenantId), eq(V.boardId, id)))
        .orderBy(desc(V.version));
      return rows.map(toVersion);
    },
    actor.userId,
  );
}

/** One version with its document, for a preview. */
export async function getVersion(
  database: Database,
  actor: Actor,
  id: string,
  version: number,
): Promise<WhiteboardVersionDetail> {
  return database.withTenant(
    actor.tenantId,
    async (tx) => {
      await loadBoard(tx, actor.tenantId, id);
      const [row] = await tx
        .select()
        .from(V)
        .where(and(eq(V.tenantId, actor.tenantId), eq(V.boardId, id), eq(V.version, version)));
      if (!row) throw versionNotFound();
      return {
        ...toVersion(row),
        document: row.document as WhiteboardVersionDetail['document'],
      };
    },
    actor.userId,
  );
}

/** Keeps the board as it is now as a named version ("Save version"). */
export async function createVersion(
  database: Database,
  actor: Actor,
  settings: WhiteboardSettings,
  id: string,
  label: string | undefined,
): Promise<WhiteboardVersion> {
  assertMayEdit(actor);
  return database.withTenant(
    actor.tenantId,
    async (tx) => {
      const board = await loadBoard(tx, actor.tenantId, id, { lock: true, active: true });
      return toVersion(
        await addVersion(tx, board, 'manual', actor.userId, settings, label ?? null),
      );
    },
    actor.userId,
  );
}

/**
 * Makes an earlier version the board's current document. The document it replaces is kept as a
 * version first, so a restore can itself be undone.
 */
export async function restoreVersion(
  database: Database,
  actor: Actor,
  settings: WhiteboardSettings,
  id: string,
  version: number,
): Promise<{ board: Whiteboard; document: StoredWhiteboardDocument }> {
  assertMayEdit(actor);
  return database.withTenant(
    actor.tenantId,
    async (tx) => {
      const board = await loadBoard(tx, actor.tenantId, id, { lock: true, active: true });
      const [target] = await tx
        .select()
        .from(V)
        .where(and(eq(V.tenantId, actor.tenantId), eq(V.boardId, id), eq(V.version, version)));
      if (!target) throw versionNotFound();
      const [latest] = await tx
        .select({ revision: V.revision })
        .from(V)
        .where(and(eq(V.tenantId, actor.tenantId), eq(V.boardId, id)))
        .orderBy(desc(V.version))
        .limit(1);
      if (latest?.revision !== board.revision)
        await addVersion(tx, board, 'before_restore', actor.userId, settings);
      const row = await writeDocument(
        tx,
        board,
        target.document,
        target.documentBytes,
        actor.userId,
        { ...settings, versionIntervalMs: Number.POSITIVE_INFINITY },
      );
      await recordActivity(tx, {
        tenantId: actor.tenantId,
        actorId: actor.userId,
        source: 'whiteboard',
        subjectType: 'whiteboard',
        subjectId: id,
        verb: 'restored',
        title: `Whiteboard “${board.title}” restored to version ${version}`,
        data: { version, fromRevision: board.revision },
      });
      return { board: toWhiteboard(row), document: target.document };
    },
    actor.userId,
  );
}
