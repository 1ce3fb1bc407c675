import type { Approval } from '@afenda/contracts';
import type { Tx } from '@afenda/db';
import { z } from 'zod';
import type { ApprovalHook } from '@afenda/platform/approvals/registry';
import { consultationRoomMetadata } from './approval-type.ts';
import { openRoom, tenantMembers } from './open-room.ts';

/**
 * The effect of an approved consultation_room request, run inside the decision's transaction:
 * it opens the room, or nothing when the approval already opened one (the unique index on
 * (tenant_id, approval_id)), so a retried effect never opens a second room. Participants who are
 * no longer members are left out (and named in the room.created entry); a moderator who left is
 * replaced by the approver.
 */
export function consultationRoomEffect(defaultMinutes: number): ApprovalHook {
  return async (tx: Tx, approval: Approval) => {
    if (approval.status !== 'approved' || approval.type !== 'consultation_room') return;
    const m = consultationRoomMetadata.parse(approval.metadata);
    const named = m.moderator ?? approval.requestedBy;
    const wanted = [...new Set([named, approval.requestedBy, ...m.participants])];
    const members = await tenantMembers(
      tx,
      approval.tenantId,
      wanted.filter((id) => z.uuid().safeParse(id).success),
    );
    const moderatorId = members.has(named) ? named : (approval.decidedBy as string);
    await openRoom(
      tx,
      {
        tenantId: approval.tenantId,
        actorId: approval.decidedBy ?? approval.requestedBy,
        moderatorId,
        participantIds: wanted.filter((id) => members.has(id)),
        topic: m.topic ?? approval.title,
        durationMinutes: m.durationMinutes ?? defaultMinutes,
        approval: { id: approval.id, requestedBy: approval.requestedBy },
      },
      { leftOut: wanted.filter((id) => !members.has(id)) },
    );
  };
}
