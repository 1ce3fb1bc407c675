import type { Approval } from '@afenda/contracts';
import { schema, type Tx } from '@afenda/db';
import { and, eq, inArray } from 'drizzle-orm';
import { publishStreamEvent } from '@afenda/platform/stream/publish';
import type { ApprovalRegistry } from '@afenda/platform/approvals/registry';
import {
  raiseNotifications,
  resolveNotifications,
  type NotificationInput,
} from './notifications.ts';

const UT = schema.userTenants;
const U = schema.users;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** One notification about the approval for each of these members. */
const notify = (
  tx: Tx,
  approval: Approval,
  userIds: string[],
  n: { kind: string; title: string; body: string },
) =>
  raiseNotifications(
    tx,
    approval.tenantId,
    userIds.map((userId): NotificationInput => ({
      userId,
      ...n,
      body: n.body.slice(0, 500),
      subjectType: 'approval',
      subjectId: approval.id,
      url: `/app/approvals/${approval.id}`,
    })),
  );

/** A member's display name, for titles that say who did what. */
async function nameOf(tx: Tx, userId: string | null): Promise<string> {
  if (!userId) return 'Someone';
  const [row] = await tx.select({ name: U.displayName }).from(U).where(eq(U.id, userId));
  return row?.name || 'Someone';
}

/** Whom the approval is about, when its type says (an escalated conversation's customer). */
const aboutOf = (approvals: ApprovalRegistry, approval: Approval): string | null =>
  approvals.type(approval.type)?.about?.(approval) ?? null;

/** "Alice escalated Jane Doe for your decision", "Alice asks for your decision: Refund …". */
export function submittedTitle(
  approval: Approval,
  requester: string,
  about: string | null,
): string {
  return about
    ? `${requester} escalated ${about} for your decision`
    : `${requester} asks for your decision: ${approval.title}`;
}

/** "Ada approved your escalation for Jane Doe", "Ada rejected your request: Refund …". */
export function decidedTitle(approval: Approval, decider: string, about: string | null): string {
  return about
    ? `${decider} ${approval.status} your escalation for ${about}`
    : `${decider} ${approval.status} your request: ${approval.title}`;
}

/** Submitted: everyone who may decide it (as `awaiting=me` computes it), not its requester. */
async function notifyDeciders(
  approvals: ApprovalRegistry,
  tx: Tx,
  approval: Approval,
): Promise<void> {
  const type = approvals.type(approval.type);
  const members = await tx
    .select({ userId: UT.userId, role: UT.role, canApprove: UT.canApprove })
    .from(UT)
    .where(eq(UT.tenantId, approval.tenantId));
  const deciders = members.filter((m) => m.userId !== approval.requestedBy && type?.mayDecide(m));
  await notify(
    tx,
    approval,
    deciders.map((m) => m.userId),
    {
      kind: 'approval.submitted',
      title: submittedTitle(
        approval,
        await nameOf(tx, approval.requestedBy),
        aboutOf(approvals, approval),
      ).slice(0, 300),
      body: approval.description,
    },
  );
}

/**
 * Decided: "approval requested" is marked read for every decider; then its requester, and the agent who escalated it (metadata.agentUserId, set by a
 * module's escalation) when that is another member of the tenant. Never the decider.
 */
async function notifyRequester(
  approvals: ApprovalRegistry,
  tx: Tx,
  approval: Approval,
): Promise<void> {
  // "Approval requested" is done for every decider, whoever decided.
  await resolveNotifications(tx, approval.tenantId, {
    kind: 'approval.submitted',
    subjectType: 'approval',
    subjectId: approval.id,
  });
  const agent = approval.metadata.agentUserId;
  const wanted = new Set([approval.requestedBy]);
  if (typeof agent === 'string' && UUID.test(agent)) wanted.add(agent.toLowerCase());
  wanted.delete(approval.decidedBy ?? '');
  if (wanted.size === 0) return;
  const members = await tx
    .select({ userId: UT.userId })
    .from(UT)
    .where(and(eq(UT.tenantId, approval.tenantId), inArray(UT.userId, [...wanted])));
  await notify(
    tx,
    approval,
    members.map((m) => m.userId),
    {
      kind: 'approval.decided',
      title: decidedTitle(
        approval,
        await nameOf(tx, approval.decidedBy),
        aboutOf(approvals, approval),
      ).slice(0, 300),
      body: approval.decisionComment ?? '',
    },
  );
}

/** Every member's live view of the tenant's approvals: an `approval` event per status change. */
const announce = (tx: Tx, approval: Approval) =>
  publishStreamEvent(tx, {
    tenantId: approval.tenantId,
    userId: null,
    name: 'approval',
    subject: approval,
  });

/** The notifications' reactions to every approval type, registered on the Platform. */
export function registerApprovalNotifications(approvals: ApprovalRegistry): void {
  const reactions = [
    { event: 'submitted', name: 'notifications.deciders', notify: notifyDeciders },
    { event: 'decided', name: 'notifications.requester', notify: notifyRequester },
  ] as const;
  for (const { event, name, notify } of reactions)
    approvals.on(event, {
      name,
      type: '*',
      run: async (tx, approval) => {
        await notify(approvals, tx, approval);
        await announce(tx, approval);
      },
    });
}
