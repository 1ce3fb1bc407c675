import { roomParticipants, rooms } from './schema.ts';
import type { Room, RoomState } from '@afenda/contracts';
import { schema, type Tx } from '@afenda/db';
import { and, asc, eq, inArray } from 'drizzle-orm';
import { AppError } from '@afenda/platform/errors';
import { recordActivity } from '@afenda/platform/activity/record-activity';
import type { Actor } from '@afenda/platform/context';

export const R = rooms;
export const P = roomParticipants;
export type RoomRow = typeof R.$inferSelect;

/** Where room entries on the timeline come from. */
export const ROOM_SOURCE = 'jitsi';

export const roomNotFound = () => new AppError('ROOM_NOT_FOUND', 404, 'Room not found');

/** Open until ended; an open room past its expiry is expired even before the sweeper marks it. */
export function roomState(row: Pick<RoomRow, 'status' | 'expiresAt'>, now = new Date()): RoomState {
  if (row.status === 'open' && row.expiresAt.getTime() <= now.getTime()) return 'expired';
  return row.status;
}

/** Owners and admins oversee every room of their tenant; everyone else sees rooms they are in. */
export const overseesRooms = (actor: Actor) => actor.role === 'owner' || actor.role === 'admin';

/** The rooms with their participants (display names from the directory), in the given order. */
export async function withParticipants(tx: Tx, tenantId: string, rows: RoomRow[]): Promise<Room[]> {
  if (rows.length === 0) return [];
  const people = await tx
    .select({
      roomId: P.roomId,
      userId: P.userId,
      moderator: P.moderator,
      firstJoinedAt: P.firstJoinedAt,
      displayName: schema.users.displayName,
    })
    .from(P)
    .leftJoin(schema.users, eq(schema.users.id, P.userId))
    .where(
      and(
        eq(P.tenantId, tenantId),
        inArray(
          P.roomId,
          rows.map((r) => r.id),
        ),
      ),
    )
    .orderBy(asc(P.addedAt), asc(P.userId));
  const now = new Date();
  return rows.map((r) => ({
    id: r.id,
    tenantId: r.tenantId,
    roomName: r.roomName,
    topic: r.topic,
    state: roomState(r, now),
    moderatorId: r.moderatorId,
    participants: people
      .filter((p) => p.roomId === r.id)
      .sort((a, b) => Number(b.moderator) - Number(a.moderator))
      .map((p) => ({
        userId: p.userId,
        // A participant who has since left the tenant is no longer in its directory view.
        displayName: p.displayName ?? 'Former member',
        moderator: p.moderator,
        firstJoinedAt: p.firstJoinedAt?.toISOString() ?? null,
      })),
    approvalId: r.approvalId,
    createdBy: r.createdBy,
    createdAt: r.createdAt.toISOString(),
    expiresAt: r.expiresAt.toISOString(),
    endedAt: r.endedAt?.toISOString() ?? null,
    endedBy: r.endedBy,
  }));
}

/** The caller's participation in a room, if any. */
export async function participation(
  tx: Tx,
  actor: Actor,
  roomId: string,
): Promise<{ moderator: boolean; firstJoinedAt: Date | null } | undefined> {
  const [row] = await tx
    .select({ moderator: P.moderator, firstJoinedAt: P.firstJoinedAt })
    .from(P)
    .where(and(eq(P.tenantId, actor.tenantId), eq(P.roomId, roomId), eq(P.userId, actor.userId)));
  return row;
}

/** The room as this caller may see it (a participant, or an owner/admin of the tenant), or 404. */
export async function loadVisibleRoom(
  tx: Tx,
  actor: Actor,
  id: string,
): Promise<{ row: RoomRow; self: Awaited<ReturnType<typeof participation>> }> {
  const [row] = await tx
    .select()
    .from(R)
    .where(and(eq(R.tenantId, actor.tenantId), eq(R.id, id)));
  if (!row) throw roomNotFound();
  const self = await participation(tx, actor, id);
  if (!self && !overseesRooms(actor)) throw roomNotFound();
  return { row, self };
}

/** A room's entry on the timeline ("<what>: <topic>"), in the caller's transaction. */
export async function recordRoomEvent(
  tx: Tx,
  row: RoomRow,
  event: { verb: string; actorId: string | null; title: string; description?: string },
  data: Record<string, unknown> = {},
): Promise<void> {
  await recordActivity(tx, {
    tenantId: row.tenantId,
    actorId: event.actorId,
    source: ROOM_SOURCE,
    subjectType: 'room',
    subjectId: row.id,
    verb: event.verb,
    title: `${event.title}${row.topic ? `: ${row.topic}` : ''}`,
    description: event.description ?? '',
    data: { roomName: row.roomName, ...data },
  });
}
