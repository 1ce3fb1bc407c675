import type { Notification } from '@afenda/contracts';
import { schema, type Database } from '@afenda/db';
import { and, count, desc, eq, getTableColumns, isNull } from 'drizzle-orm';
import { AppError } from '@afenda/platform/errors';
import { beyond, cursorTime, decodeCursor, keysetPage } from '@afenda/platform/cursor';
import {
  raiseNotifications,
  toNotification,
  type NotificationInput,
  type Recipient,
} from '@afenda/platform/notifications/raise';

export { raiseNotifications, type NotificationInput, type Recipient };

const N = schema.notifications;

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
