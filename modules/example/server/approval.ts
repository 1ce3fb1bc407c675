/**
 * An approval type of the tool's own, and its reaction to a decision. The engine
 * (packages/platform/src/approvals) does the rest: the state machine, the hash-chained ledger,
 * the kernel's own timeline entries and the notifications.
 */
import { recordActivity } from '@afenda/platform/activity/record-activity';
import {
  ownersOrApprovers,
  type ApprovalHook,
  type ApprovalType,
} from '@afenda/platform/approvals/registry';
import { z } from 'zod';
import { SOURCE } from './webhook-source.ts';

export const exampleChange: ApprovalType = {
  id: 'example_change',
  title: 'Example change',
  // Checked when a request is created (400 otherwise); .loose() lets callers add their own keys.
  metadata: z.object({ target: z.string().max(200).optional() }).loose(),
  mayDecide: ownersOrApprovers,
};

/**
 * Runs inside the decision's transaction: the entry commits with the decision or not at all.
 * A call into the tool does not belong here (it would hold the transaction, and can't be rolled
 * back): queue an outbound action instead (enqueueOutbound; modules/inbox/server/decision-note.ts).
 */
export const recordDecision: ApprovalHook = async (tx, approval) => {
  await recordActivity(tx, {
    tenantId: approval.tenantId,
    actorId: approval.decidedBy,
    source: SOURCE,
    subjectType: 'example_change',
    subjectId: approval.id,
    verb: 'decided',
    title: `Example change ${approval.decision}: ${approval.title}`,
    data: { decision: approval.decision },
  });
};
