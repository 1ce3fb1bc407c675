import { ownersOrApprovers, type ApprovalType } from '@afenda/platform/approvals/registry';
import { z } from 'zod';

/** What a consultation_room request carries: checked when it is created, read again when approved. */
export const consultationRoomMetadata = z
  .object({
    // User ids of the tenant's members; the requester is always in the room.
    participants: z.array(z.uuid()).min(1).max(50),
    // Who moderates it; default: the requester.
    moderator: z.uuid().optional(),
    // Default: ROOM_TTL_MINUTES (120).
    durationMinutes: z.number().int().min(5).max(480).optional(),
    topic: z.string().max(200).optional(),
  })
  .loose();

/** A request for a video consultation; once approved, its room opens (approval-effect.ts). */
export const consultationRoomApproval: ApprovalType = {
  id: 'consultation_room',
  title: 'Consultation room',
  metadata: consultationRoomMetadata,
  mayDecide: ownersOrApprovers,
};
