/**
 * Escalation to CEO approval: one code path for the Shell's button, the Chatwoot Dashboard App
 * and the label added in Chatwoot. The conversation row is locked for the duration, so that of
 * two escalations at once the second finds the first: while one is pending, escalating again
 * returns it instead of creating another.
 */
import type { Approval, EscalationDetails } from '@afenda/contracts';
import type { Database, Tx } from '@afenda/db';
import { schema } from '@afenda/db';
import { and, desc, eq, inArray, sql } from 'drizzle-orm';
import { AppError } from '@afenda/platform/errors';
import { recordActivity } from '@afenda/platform/activity/record-activity';
import { A, toApproval } from '@afenda/platform/approvals/approvals';
import type { Actor } from '@afenda/platform/context';
import { insertApproval } from '@afenda/platform/approvals/create-approval';
import type { ApprovalRegistry } from '@afenda/platform/approvals/registry';

const C = schema.conversations;
const M = schema.conversationMessages;
const U = schema.users;
export type ConversationRow = typeof C.$inferSelect;

export type EscalationVia = 'shell' | 'dashboard_app' | 'label';

/** The agent's words: a note, and what needs deciding with its kind, amount and urgency. */
export type EscalationInput = Partial<EscalationDetails> & { note?: string };

/** The details kept on the approval (metadata.escalation): only what was given. */
function details(input: EscalationInput): Partial<EscalationDetails> {
  const { note: _note, ...rest } = input;
  return Object.fromEntries(
    Object.entries(rest).filter(([, v]) => v !== undefined && v !== ''),
  ) as Partial<EscalationDetails>;
}

export const conversationNotFound = () =>
  new AppError('CONVERSATION_NOT_FOUND', 404, 'Conversation not found');

/** The submitted escalation of a conversation, if one is waiting for a decision. */
export async function pendingEscalation(tx: Tx, conversation: ConversationRow) {
  const [row] = await tx
    .select()
    .from(A)
    .where(and(...escalationOf(conversation), eq(A.status, 'submitted')))
    .orderBy(desc(A.createdAt))
    .limit(1);
  return row;
}

/** The approvals that escalate this conversation. */
const escalationOf = (conversation: ConversationRow) => [
  eq(A.tenantId, conversation.tenantId),
  eq(A.source, 'chatwoot'),
  eq(A.sourceRef, String(conversation.displayId)),
  sql`${A.metadata}->>'conversationId' = ${conversation.id}`,
];

/** The conversation's escalations that are decided, newest decision first. */
export async function decidedEscalations(tx: Tx, conversation: ConversationRow, limit = 1) {
  return tx
    .select({
      approvalId: A.id,
      decision: A.decision,
      decidedBy: A.decidedBy,
      decidedByName: U.displayName,
      decidedAt: A.decidedAt,
      note: A.decisionComment,
    })
    .from(A)
    .leftJoin(U, eq(U.id, A.decidedBy))
    .where(and(...escalationOf(conversation), inArray(A.status, ['approved', 'rejected'])))
    .orderBy(desc(A.decidedAt), desc(A.id))
    .limit(limit);
}

/** Inside the caller's transaction (tenant set). */
export async function escalateInTx(
  approvals: ApprovalRegistry,
  tx: Tx,
  actor: Actor,
  conversationId: string,
  via: EscalationVia,
  input: EscalationInput = {},
): Promise<{ approval: Approval; created: boolean }> {
  const note = input.note;
  const [conversation] = await tx
    .select()
    .from(C)
    .where(and(eq(C.tenantId, actor.tenantId), eq(C.id, conversationId)))
    .for('update');
  if (!conversation) throw conversationNotFound();
  const pending = await pendingEscalation(tx, conversation);
  if (pending) return { approval: toApproval(pending), created: false };

  const recent = await tx
    .select()
    .from(M)
    .where(
      and(
        eq(M.tenantId, actor.tenantId),
        eq(M.conversationId, conversation.id),
        eq(M.private, false),
        eq(M.own, false),
      ),
    )
    .orderBy(desc(M.createdAt))
    .limit(5);
  const lastMessages = recent.reverse().map((m) => ({
    direction: m.direction,
    sender: m.senderName,
    content: m.content.slice(0, 1000),
    at: m.createdAt.toISOString(),
  }));
  const customer = conversation.contactName ?? 'a customer';
  const lastIncoming = [...recent].reverse().find((m) => m.direction === 'incoming');
  const approval = await insertApproval(approvals, tx, actor, {
    type: 'ceo_approval',
    title: (
      input.question?.trim() || `Escalation: ${customer} (conversation #${conversation.displayId})`
    ).slice(0, 200),
    description: (note?.trim() || lastIncoming?.content || '').slice(0, 5000),
    source: 'chatwoot',
    sourceRef: String(conversation.displayId),
    metadata: {
      conversationId: conversation.id,
      accountId: conversation.accountId,
      displayId: conversation.displayId,
      customer: customer.slice(0, 200),
      lastMessages,
      agentUserId: actor.userId,
      via,
      ...(note?.trim() ? { note: note.trim().slice(0, 2000) } : {}),
      escalation: details(input),
    },
    submit: true,
  });
  await recordActivity(tx, {
    tenantId: actor.tenantId,
    actorId: actor.userId,
    source: 'chatwoot',
    subjectType: 'conversation',
    subjectId: conversation.id,
    verb: 'escalated',
    title: `Conversation #${conversation.displayId} escalated to CEO approval`,
    description: note ?? '',
    data: { approvalId: approval.id, via, displayId: conversation.displayId },
  });
  return { approval, created: true };
}

export async function escalateConversation(
  approvals: ApprovalRegistry,
  database: Database,
  actor: Actor,
  conversationId: string,
  via: EscalationVia,
  input: EscalationInput = {},
): Promise<{ approval: Approval; created: boolean }> {
  if (actor.role === 'viewer') {
    throw new AppError('FORBIDDEN', 403, 'Viewers cannot escalate conversations');
  }
  return database.withTenant(
    actor.tenantId,
    (tx) => escalateInTx(approvals, tx, actor, conversationId, via, input),
    actor.userId,
  );
}
