import type { CreateRoomBody, Room } from '@afenda/contracts';
import type { Database } from '@afenda/db';
import { AppError } from '@afenda/platform/errors';
import type { Actor } from '@afenda/platform/context';
import { openRoom, tenantMembers } from './open-room.ts';

/**
 * Who may open a room directly: the people who could approve a consultation_room request
 * (owners and approvers) and admins. Everyone else asks through an approval.
 */
export const mayOpenRooms = (actor: Actor) =>
  actor.role === 'owner' || actor.role === 'admin' || actor.canApprove;

/** POST /rooms/consultation/create: a room now, for members of the tenant only. */
export async function createRoom(
  database: Database,
  actor: Actor,
  body: CreateRoomBody,
  defaultMinutes: number,
): Promise<Room> {
  if (!mayOpenRooms(actor)) {
    throw new AppError(
      'ROOM_APPROVAL_REQUIRED',
      403,
      'Only owners, admins and approvers open rooms directly; request one with a consultation_room approval',
      { approvalType: 'consultation_room' },
    );
  }
  const moderatorId = body.moderator ?? actor.userId;
  return database.withTenant(
    actor.tenantId,
    async (tx) => {
      const wanted = [...new Set([moderatorId, ...body.participants])];
      const members = await tenantMembers(tx, actor.tenantId, wanted);
      const strangers = wanted.filter((id) => !members.has(id));
      if (strangers.length > 0) {
        throw new AppError(
          'ROOM_PARTICIPANT_NOT_MEMBER',
          400,
          'Every participant and the moderator must be a member of this tenant',
          { userIds: strangers },
        );
      }
      const room = await openRoom(tx, {
        tenantId: actor.tenantId,
        actorId: actor.userId,
        moderatorId,
        participantIds: body.participants,
        topic: body.topic,
        durationMinutes: body.durationMinutes ?? defaultMinutes,
      });
      return room!;
    },
    actor.userId,
  );
}
