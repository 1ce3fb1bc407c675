import type { Notification } from '@afenda/contracts';
import { schema, type Database, type Tx } from '@afenda/db';
import { and, count, desc, eq, getTableColumns, isNull, sql } from 'drizzle-orm';
import { AppError } from '@afenda/platform/errors';
import { beyond, cursorTime, decodeCursor, keysetPage } from '@afenda/platform/cursor';
import { publishStreamEvents } from '@afenda/platform/stream/publish';
import {
  raiseNotifications,
  toNotification,
  type NotificationInput,
  type Recipient,
} from '@afenda/platform/notifications/raise';

export { raiseNotifications, type NotificationInput, type Recipient };

const N = schema.notifications;

/**
 * Marks read, in the caller's transaction, every member's unread notification of one kind about
 * one subject (e.g. "approval requested" once it is decided, by anyone), through
 * afenda.resolve_notifications (migration 0014: the rows are other users'); each one's stream
 * gets the notification again, read, so open bells count it off.
 */
export async function resolveNotifications(
  tx: Tx,
  tenantId: string,
  about: { kind: string; subjectType: string; subjectId: string },
): Promise<Notification[]> {
  const { rows } = await tx.execute<{
    tenant_id: string;
    user_id: string;
    id: string;
    kind: string;
    title: string;
    body: string;
    subject_type: string;
    subject_id: string;
    url: string;
    read_at: Date | string;
    created_at: Date | string;
  }>(
    sql`select * from afenda.resolve_notifications(${about.kind}, ${about.subjectType}, ${about.subjectId})`,
  );
  const resolved = rows.map((r) =>
    toNotification({
      tenantId: r.tenant_id,
      userId: r.user_id,
      id: r.id,
      kind: r.kind,
      title: r.title,
      body: r.body,
      subjectType: r.subject_type,
      subjectId: r.subject_id,
      url: r.url,
      readAt: new Date(r.read_at),
      createdAt: new Date(r.created_at),
    }),
  );
  await publishStreamEvents(
    tx,
    resolved.map((n, i) => ({
      tenantId,
      userId: rows[i]!.user_id,
      name: 'notification',
      subject: n,
    })),
  );
  return resolved;
}

/** Newest first, keyset-paginated like the other lists. */
export async function listNotifications(
  database: Database,
  who: Recipient,
  f: { unread?: 'true' | 'false'; limit: number; cursor?: string },
): Promise<{ notifications: Notification[]; nextCursor: string | null }> {
  const cursor = decodeCursor(f.cursor);
  const rows = await database.withTenant(
    who.tenantId,
    (tx) =>
      tx
        .select({ ...getTableColumns(N), cursorAt: cursorTime(N.createdAt) })
        .from(N)
        .where(
          and(
            eq(N.tenantId, who.tenantId),
            eq(N.userId, who.userId),
            f.unread === 'true' ? isNull(N.readAt) : undefined,
            cursor ? beyond(N.createdAt, N.id, cursor, 'before') : undefined,
          ),
        )
        .orderBy(desc(N.createdAt), desc(N.id))
        .limit(f.limit + 1),
    who.userId,
  );
  const { page, nextCursor } = keysetPage(rows, f.limit);
  return { notifications: page.map(toNotification), nextCursor };
}

export async function unreadCount(database: Database, who: Recipient): Promise<number> {
  const [row] = await database.withTenant(
    who.tenantId,
    (tx) =>
      tx
        .select({ n: count() })
        .from(N)
        .where(and(eq(N.tenantId, who.tenantId), eq(N.userId, who.userId), isNull(N.readAt))),
    who.userId,
  );
  return row?.n ?? 0;
}

/** Marks one read (again is harmless: it keeps its first readAt). */
export async function markRead(
  database: Database,
  who: Recipient,
  id: string,
): Promise<Notification> {
  return database.withTenant(
    who.tenantId,
    async (tx) => {
      const mine = and(eq(N.tenantId, who.tenantId), eq(N.userId, who.userId), eq(N.id, id));
      const [updated] = await tx
        .update(N)
        .set({ readAt: new Date() })
        .where(and(mine, isNull(N.readAt)))
        .returning();
      const row = updated ?? (await tx.select().from(N).where(mine))[0];
      if (!row) throw new AppError('NOTIFICATION_NOT_FOUND', 404, 'Notification not found');
      return toNotification(row);
    },
    who.userId,
  );
}

/** Marks every unread notification of the caller in the tenant read; says how many. */
export async function markAllRead(database: Database, who: Recipient): Promise<number> {
  const rows = await database.withTenant(
    who.tenantId,
    (tx) =>
      tx
        .update(N)
        .set({ readAt: new Date() })
        .where(and(eq(N.tenantId, who.tenantId), eq(N.userId, who.userId), isNull(N.readAt)))
        .returning({ id: N.id }),
    who.userId,
  );
  return rows.length;
}
