/**
 * Back to Chatwoot: when an escalation from a conversation is decided, a private note on that
 * conversation (who decided, approved or rejected, the reason) and a label, through Chatwoot's
 * API. Queued in the decision's transaction as an outbound action; run, retried and
 * dead-lettered by the workers, never inside the decider's request.
 */
import type { Approval } from '@afenda/contracts';
import { ChatwootClient } from './chatwoot/index.ts';
import type { Tx } from '@afenda/db';
import { schema } from '@afenda/db';
import { and, eq, sql } from 'drizzle-orm';
import { recordActivity } from '@afenda/platform/activity/record-activity';
import { A } from '@afenda/platform/approvals/approvals';
import { enqueueOutbound, type OutboundHandler } from '@afenda/platform/outbound/outbound';
import type { ChatwootAccounts } from './accounts.ts';
import { OWN_NOTE_MARKER } from './mirror.ts';

const C = schema.conversations;
const M = schema.conversationMessages;

export const DECISION_NOTE = 'chatwoot.decision_note';

/** The decision hook: queue the note when a conversation's escalation is decided. */
export async function queueDecisionNote(tx: Tx, approval: Approval): Promise<void> {
  const conversationId = approval.metadata.conversationId;
  if (approval.source !== 'chatwoot' || typeof conversationId !== 'string') return;
  await enqueueOutbound(tx, {
    tenantId: approval.tenantId,
    kind: DECISION_NOTE,
    subjectId: approval.id,
    payload: { conversationId },
  });
}

export function decisionNoteText(input: {
  decision: 'approved' | 'rejected';
  decider: string;
  reason: string | null;
  title: string;
}): string {
  const verdict = input.decision === 'approved' ? 'APPROVED' : 'REJECTED';
  return [
    `${OWN_NOTE_MARKER} CEO approval ${verdict} by ${input.decider}.`,
    `Request: ${input.title}`,
    input.reason
      ? `${input.decision === 'approved' ? 'Comment' : 'Reason'}: ${input.reason}`
      : null,
  ]
    .filter(Boolean)
    .join('\n');
}

export function decisionNoteHandler(options: {
  accounts: ChatwootAccounts;
  approvedLabel: string;
  rejectedLabel: string;
  timeoutMs: number;
  fetch?: typeof fetch;
}): OutboundHandler {
  return async (tx, action) => {
    const [approval] = await tx
      .select()
      .from(A)
      .where(and(eq(A.tenantId, action.tenantId), eq(A.id, action.subjectId)));
    if (!approval?.decision) throw new Error(`approval ${action.subjectId} is not decided`);
    const [conversation] = await tx
      .select()
      .from(C)
      .where(and(eq(C.tenantId, action.tenantId), eq(C.id, String(action.payload.conversationId))));
    if (!conversation)
      throw new Error(`conversation ${String(action.payload.conversationId)} is gone`);
    const account = await options.accounts.lookup(conversation.accountId);
    if (!account?.baseUrl || !account.apiToken) {
      throw new Error(
        `Chatwoot's API is not configured for account ${conversation.accountId}: set the Inbox module's baseUrl and apiToken`,
      );
    }
    const decider = await tx.execute<{ display_name: string }>(
      sql`select display_name from users where id = ${approval.decidedBy}`,
    );
    const client = new ChatwootClient({
      baseUrl: account.baseUrl,
      apiToken: account.apiToken,
      timeoutMs: options.timeoutMs,
      fetch: options.fetch,
    });
    const content = decisionNoteText({
      decision: approval.decision,
      decider: decider.rows[0]?.display_name ?? 'an approver',
      reason: approval.decisionComment,
      title: approval.title,
    });
    const note = await client.postPrivateNote(
      conversation.accountId,
      conversation.displayId,
      content,
    );
    // Recorded as ours, so that its webhook echo is recognised (the marker covers a race).
    await tx
      .insert(M)
      .values({
        tenantId: action.tenantId,
        conversationId: conversation.id,
        externalId: String(note.id),
        direction: 'outgoing',
        private: true,
        own: true,
        senderName: 'Axis Afenda',
        content,
        createdAt: new Date(),
      })
      .onConflictDoUpdate({
        target: [M.tenantId, M.conversationId, M.externalId],
        set: { own: true },
      });
    const label = approval.decision === 'approved' ? options.approvedLabel : options.rejectedLabel;
    const labels = await client.addLabels(conversation.accountId, conversation.displayId, [label]);
    await recordActivity(tx, {
      tenantId: action.tenantId,
      actorId: null,
      source: 'chatwoot',
      subjectType: 'conversation',
      subjectId: conversation.id,
      verb: 'decision_posted',
      title: `Decision posted to Chatwoot on #${conversation.displayId}: ${approval.decision}`,
      data: { approvalId: approval.id, messageId: note.id, labels },
    });
    return { messageId: note.id, labels };
  };
}
