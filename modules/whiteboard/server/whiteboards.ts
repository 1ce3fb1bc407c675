import type { Whiteboard, WhiteboardLink, WhiteboardVersion } from '@afenda/contracts';
import { schema, type Database, type Tx } from '@afenda/db';
import {
  whiteboardLinks,
  whiteboards,
  whiteboardVersions,
  type StoredWhiteboardDocument,
} from './schema.ts';
import { and, desc, eq, lte, max, sql } from 'drizzle-orm';
import { AppError, forbidden } from '@afenda/platform/errors';
import type { Actor } from '@afenda/platform/context';
import { documentBytes, tooLarge } from './document.ts';

export const W = whiteboards;
export const V = whiteboardVersions;
export const L = whiteboardLinks;
export type BoardRow = typeof W.$inferSelect;
export type VersionRow = typeof V.$inferSelect;
export type { Actor };

/** Limits and history policy, from the configuration. */
export interface WhiteboardSettings {
  /** The largest document, as JSON, in bytes. */
  maxBytes: number;
  /** A saved change makes a new version when the last one is at least this old. */
  versionIntervalMs: number;
  /** Versions kept per board; older ones are pruned. */
  maxVersions: number;
}

export const toWhiteboard = (r: Omit<BoardRow, 'document'>): Whiteboard => ({
  id: r.id,
  tenantId: r.tenantId,
  title: r.title,
  revision: r.revision,
  sizeBytes: r.documentBytes,
  createdBy: r.createdBy,
  updatedBy: r.updatedBy,
  createdAt: r.createdAt.toISOString(),
  updatedAt: r.updatedAt.toISOString(),
  deletedAt: r.deletedAt?.toISOString() ?? null,
});

export const toVersion = (r: Omit<VersionRow, 'document'>): WhiteboardVersion => ({
  boardId: r.boardId,
  version: r.version,
  revision: r.revision,
  reason: r.reason,
  label: r.label,
  sizeBytes: r.documentBytes,
  createdBy: r.createdBy,
  createdAt: r.createdAt.toISOString(),
});

export const toLink = (r: typeof L.$inferSelect): WhiteboardLink => ({
  boardId: r.boardId,
  subjectType: r.subjectType,
  subjectId: r.subjectId,
  createdBy: r.createdBy,
  createdAt: r.createdAt.toISOString(),
});

export const whiteboardNotFound = () =>
  new AppError('WHITEBOARD_NOT_FOUND', 404, 'Whiteboard not found');

export function assertMayEdit(actor: Actor): void {
  if (actor.role === 'viewer') throw forbidden('Viewers can look at boards but not change them');
}

/**
 * The board, in the caller's tenant (RLS hides every other tenant's: another tenant's board is
 * a 404 like one that never existed). `lock` takes the row lock that serialises writers.
 */
export async function loadBoard(
  tx: Tx,
  tenantId: string,
  id: string,
  options: { lock?: boolean; active?: boolean } = {},
): Promise<BoardRow> {
  const query = tx
    .select()
    .from(W)
    .where(and(eq(W.tenantId, tenantId), eq(W.id, id)));
  const [row] = options.lock ? await query.for('update') : await query;
  if (!row) throw whiteboardNotFound();
  if (options.active && row.deletedAt) {
    throw new AppError(
      'WHITEBOARD_DELETED',
      409,
      'This board is in the bin: restore it before changing it',
      { deletedAt: row.deletedAt.toISOString() },
    );
  }
  return row;
}

/** The size check every write goes through: a 413 envelope, never a silent truncation. */
export function measure(document: StoredWhiteboardDocument, settings: WhiteboardSettings): number {
  const bytes = documentBytes(document);
  if (bytes > settings.maxBytes) throw tooLarge(bytes, settings.maxBytes);
  return bytes;
}

/** Appends a version of the board as it is now, and prunes past the configured count. */
export async function addVersion(
  tx: Tx,
  board: BoardRow,
  reason: VersionRow['reason'],
  actorId: string | null,
  settings: WhiteboardSettings,
  label: string | null = null,
): Promise<VersionRow> {
  const [last] = await tx
    .select({ version: max(V.version) })
    .from(V)
    .where(and(eq(V.tenantId, board.tenantId), eq(V.boardId, board.id)));
  const version = (last?.version ?? 0) + 1;
  const [row] = await tx
    .insert(V)
    .values({
      tenantId: board.tenantId,
      boardId: board.id,
      version,
      document: board.document,
      documentBytes: board.documentBytes,
      revision: board.revision,
      reason,
      label,
      createdBy: actorId,
    })
    .returning();
  if (version > settings.maxVersions) {
    await tx
      .delete(V)
      .where(
        and(
          eq(V.tenantId, board.tenantId),
          eq(V.boardId, board.id),
          lte(V.version, version - settings.maxVersions),
        ),
      );
  }
  return row!;
}

/**
 * Writes a new document to a locked, active board (revision + 1) and keeps a version when the
 * last one is older than the interval: the history has a point at least every interval while
 * people work, without one row per keystroke.
 */
export async function writeDocument(
  tx: Tx,
  board: BoardRow,
  document: StoredWhiteboardDocument,
  bytes: number,
  actorId: string | null,
  settings: WhiteboardSettings,
): Promise<BoardRow> {
  const [row] = await tx
    .update(W)
    .set({
      document,
      documentBytes: bytes,
      revision: sql`${W.revision} + 1`,
      updatedBy: actorId,
      updatedAt: sql`now()`,
    })
    .where(and(eq(W.tenantId, board.tenantId), eq(W.id, board.id)))
    .returning();
  const [latest] = await tx
    .select({ createdAt: V.createdAt })
    .from(V)
    .where(and(eq(V.tenantId, board.tenantId), eq(V.boardId, board.id)))
    .orderBy(desc(V.version))
    .limit(1);
  if (!latest || Date.now() - latest.createdAt.getTime() >= settings.versionIntervalMs)
    await addVersion(tx, row!, 'autosave', actorId, settings);
  return row!;
}

/**
 * A ticket was good when it was issued; before its socket opens, the holder must still be a
 * member of the ticket's tenant and the board still there (not deleted). 403 otherwise.
 */
export async function assertTicketStillValid(
  database: Database,
  claims: { tenantId: string; userId: string; boardId: string },
): Promise<void> {
  const { userTenants } = schema;
  const member = await database.withTenant(
    claims.tenantId,
    async (tx) => {
      const [row] = await tx
        .select({ role: userTenants.role })
        .from(userTenants)
        .where(
          and(eq(userTenants.tenantId, claims.tenantId), eq(userTenants.userId, claims.userId)),
        );
      if (!row) return false;
      await loadBoard(tx, claims.tenantId, claims.boardId, { active: true });
      return true;
    },
    claims.userId,
  );
  if (!member) throw forbidden('You are no longer a member of this board’s tenant');
}
