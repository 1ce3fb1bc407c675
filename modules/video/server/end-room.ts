import type { Room } from '@afenda/contracts';
import type { Database } from '@afenda/db';
import { and, eq, gt, sql } from 'drizzle-orm';
import { AppError, forbidden } from '@afenda/platform/errors';
import type { Actor } from '@afenda/platform/context';
import {
  loadVisibleRoom,
  overseesRooms,
  R,
  recordRoomEvent,
  roomState,
  withParticipants,
} from './rooms.ts';

/**
 * DELETE /rooms/:id: the moderator (or an owner/admin) ends an open room; no token is issued
 * for it afterwards. One conditional UPDATE, so of concurrent ends exactly one records room.ended.
 */
export async function endRoom(database: Database, actor: Actor, id: string): Promise<Room> {
  return database.withTenant(
    actor.tenantId,
    async (tx) => {
      const { row: current, self } = await loadVisibleRoom(tx, actor, id);
      if (!self?.moderator && !overseesRooms(actor))
        throw forbidden("Only the room's moderator, an admin or an owner ends a room");
      const [row] = await tx
        .update(R)
        .set({ status: 'ended', endedAt: sql`now()`, endedBy: actor.userId })
        .where(
          and(
            eq(R.tenantId, actor.tenantId),
            eq(R.id, id),
            eq(R.status, 'open'),
            gt(R.expiresAt, sql`now()`),
          ),
        )
        .returning();
      if (!row) {
        const state = roomState(current);
        throw new AppError('ROOM_NOT_OPEN', 409, `The room is already ${state}`, {
          state: state === 'open' ? 'expired' : state,
        });
      }
      await recordRoomEvent(
        tx,
        row,
        { verb: 'ended', actorId: actor.userId, title: 'Consultation room ended' },
        { endedAt: row.endedAt?.toISOString() ?? null },
      );
      const [room] = await withParticipants(tx, actor.tenantId, [row]);
      return room!;
    },
    actor.userId,
  );
}
