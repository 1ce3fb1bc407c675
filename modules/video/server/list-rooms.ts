import type { Room, RoomState } from '@afenda/contracts';
import type { Database } from '@afenda/db';
import { and, desc, eq, exists, getTableColumns, gt, lte, or, type SQL } from 'drizzle-orm';
import { beyond, cursorTime, decodeCursor, encodeCursor } from '@afenda/platform/cursor';
import type { Actor } from '@afenda/platform/context';
import { loadVisibleRoom, overseesRooms, P, R, withParticipants } from './rooms.ts';

export interface RoomFilters {
  state?: RoomState;
  limit: number;
  cursor?: string;
}

/** A state as a condition: open and expired depend on the clock as well as on the status. */
function stateIs(state: RoomState): SQL | undefined {
  const now = new Date();
  if (state === 'open') return and(eq(R.status, 'open'), gt(R.expiresAt, now));
  if (state === 'expired')
    return or(eq(R.status, 'expired'), and(eq(R.status, 'open'), lte(R.expiresAt, now)));
  return eq(R.status, 'ended');
}

/** The tenant's rooms the caller may see, newest first, keyset-paginated on (created_at, id). */
export async function listRooms(
  database: Database,
  actor: Actor,
  f: RoomFilters,
): Promise<{ rooms: Room[]; nextCursor: string | null }> {
  const cursor = decodeCursor(f.cursor);
  return database.withTenant(
    actor.tenantId,
    async (tx) => {
      const mine = exists(
        tx
          .select({ one: P.userId })
          .from(P)
          .where(and(eq(P.tenantId, R.tenantId), eq(P.roomId, R.id), eq(P.userId, actor.userId))),
      );
      const rows = await tx
        .select({ ...getTableColumns(R), cursorAt: cursorTime(R.createdAt) })
        .from(R)
        .where(
          and(
            eq(R.tenantId, actor.tenantId),
            overseesRooms(actor) ? undefined : mine,
            f.state ? stateIs(f.state) : undefined,
            cursor ? beyond(R.createdAt, R.id, cursor, 'before') : undefined,
          ),
        )
        .orderBy(desc(R.createdAt), desc(R.id))
        .limit(f.limit + 1);
      const page = rows.slice(0, f.limit);
      const last = page.at(-1);
      return {
        rooms: await withParticipants(tx, actor.tenantId, page),
        nextCursor: rows.length > f.limit && last ? encodeCursor(last.cursorAt, last.id) : null,
      };
    },
    actor.userId,
  );
}

export async function getRoom(database: Database, actor: Actor, id: string): Promise<Room> {
  return database.withTenant(
    actor.tenantId,
    async (tx) => {
      const { row } = await loadVisibleRoom(tx, actor, id);
      const [room] = await withParticipants(tx, actor.tenantId, [row]);
      return room!;
    },
    actor.userId,
  );
}
