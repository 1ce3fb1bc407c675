import { ownersOrApprovers, type ApprovalType } from '@afenda/platform/approvals/registry';
import { z } from 'zod';

/** An escalation to the CEO: from a conversation (escalate.ts) or asked for directly. */
export const ceoApproval: ApprovalType = {
  id: 'ceo_approval',
  title: 'CEO approval',
  metadata: z
    .object({
      conversationId: z.union([z.string(), z.number()]).optional(),
      customer: z.string().max(200).optional(),
      amount: z.number().nonnegative().optional(),
      currency: z.string().length(3).optional(),
    })
    .loose(),
  mayDecide: ownersOrApprovers,
  // An escalated conversation is about its customer.
  about: (approval) =>
    approval.source === 'chatwoot' && typeof approval.metadata.customer === 'string'
      ? approval.metadata.customer
      : null,
};
