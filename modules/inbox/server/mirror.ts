/**
 * The Chatwoot connector's effects: a mirror of the conversations the orchestrator has heard
 * of, their messages, and their story on the activity timeline. Every write is an upsert keyed
 * by Chatwoot's own ids and runs in the delivery's transaction, so processing a delivery twice
 * changes nothing the second time. Private notes the orchestrator posted come back as
 * message_created (private, outgoing): they are recognised and never acted on again.
 */
import {
  changes,
  conversationFields,
  type ConversationEvent,
  type ConversationPayload,
  type MessageEvent,
} from './chatwoot/index.ts';
import type { Tx } from '@afenda/db';
import { schema } from '@afenda/db';
import { and, eq, sql } from 'drizzle-orm';
import { recordActivity } from '@afenda/platform/activity/record-activity';
import type { Actor } from '@afenda/platform/context';
import type { DeliveryRow, Outcome } from '@afenda/platform/webhooks/deliveries';
import type { ApprovalRegistry } from '@afenda/platform/approvals/registry';
import { escalateInTx, type ConversationRow } from './escalate.ts';

const C = schema.conversations;
const M = schema.conversationMessages;

/** Notes the orchestrator posts start with this line (and are recorded by id when posted). */
export const OWN_NOTE_MARKER = '[Axis Afenda]';

export interface ConversationEffects {
  onMessage(tx: Tx, tenantId: string, event: MessageEvent, row: DeliveryRow): Promise<Outcome>;
  onConversation(
    tx: Tx,
    tenantId: string,
    event: ConversationEvent,
    row: DeliveryRow,
    escalationRequester: string | null,
  ): Promise<Outcome>;
}

export interface MirrorOptions {
  /** The approval types: the escalation label requests a ceo_approval. */
  approvals: ApprovalRegistry;
  escalationLabel: string;
  /** Called in the transaction after a conversation changed (live updates hook in here). */
  onChanged?: (tx: Tx, conversation: ConversationRow) => Promise<void>;
}

const preview = (text: string) => (text.length > 140 ? `${text.slice(0, 139)}…` : text);

async function upsertConversation(
  tx: Tx,
  tenantId: string,
  accountId: number,
  payload: ConversationPayload,
  lastMessage?: { content: string; at: Date },
): Promise<{ row: ConversationRow; before: ConversationRow | undefined }> {
  const f = conversationFields(payload);
  const values = {
    inboxId: f.inboxId,
    status: f.status,
    labels: f.labels,
    contactName: f.contactName,
    assigneeName: f.assigneeName,
    assigneeEmail: f.assigneeEmail,
    teamName: f.teamName,
    ...(lastMessage ? { lastMessagePreview: preview(lastMessage.content) } : {}),
    lastActivityAt: f.lastActivityAt ?? lastMessage?.at ?? new Date(),
    updatedAt: new Date(),
  };
  // Insert-or-nothing first: of two deliveries creating one conversation at once, the second
  // waits for the first to commit and then finds its row, instead of failing on the key.
  const [inserted] = await tx
    .insert(C)
    .values({
      tenantId,
      source: 'chatwoot',
      accountId,
      displayId: f.displayId,
      createdAt: f.createdAt ?? new Date(),
      ...values,
    })
    .onConflictDoNothing({ target: [C.tenantId, C.source, C.accountId, C.displayId] })
    .returning();
  if (inserted) return { row: inserted, before: undefined };
  const [before] = await tx
    .select()
    .from(C)
    .where(
      and(
        eq(C.tenantId, tenantId),
        eq(C.source, 'chatwoot'),
        eq(C.accountId, accountId),
        eq(C.displayId, f.displayId),
      ),
    )
    .for('update');
  if (!before) throw new Error(`conversation ${accountId}/${f.displayId} vanished`);
  const [row] = await tx
    .update(C)
    .set(values)
    .where(and(eq(C.tenantId, tenantId), eq(C.id, before.id)))
    .returning();
  return { row: row!, before };
}

/** The member a label escalation is requested as (the organisation's configured requester). */
async function requesterActor(tx: Tx, tenantId: string, username: string): Promise<Actor | null> {
  const result = await tx.execute<{ user_id: string; role: Actor['role']; can_approve: boolean }>(
    sql`select ut.user_id, ut.role, ut.can_approve from user_tenants ut
          join users u on u.id = ut.user_id
         where ut.tenant_id = ${tenantId} and u.username = ${username} and u.enabled`,
  );
  const r = result.rows[0];
  return r ? { tenantId, userId: r.user_id, role: r.role, canApprove: r.can_approve } : null;
}

export function conversationEffects(options: MirrorOptions): ConversationEffects {
  const changed = async (tx: Tx, row: ConversationRow) => options.onChanged?.(tx, row);
  const timeline = (
    tx: Tx,
    conversation: ConversationRow,
    verb: string,
    title: string,
    data: Record<string, unknown> = {},
    description = '',
  ) =>
    recordActivity(tx, {
      tenantId: conversation.tenantId,
      actorId: null,
      source: 'chatwoot',
      subjectType: 'conversation',
      subjectId: conversation.id,
      verb,
      title,
      description,
      data: { displayId: conversation.displayId, accountId: conversation.accountId, ...data },
    });

  return {
    async onMessage(tx, tenantId, event, row) {
      const content = event.content ?? '';
      const at = event.created_at ? new Date(event.created_at) : row.receivedAt;
      const ownNote = event.private && event.message_type === 'outgoing';
      const { row: conversation, before } = await upsertConversation(
        tx,
        tenantId,
        event.account.id,
        event.conversation,
        event.private ? undefined : { content, at },
      );
      const [existing] = await tx
        .select({ own: M.own })
        .from(M)
        .where(
          and(
            eq(M.tenantId, tenantId),
            eq(M.conversationId, conversation.id),
            eq(M.externalId, String(event.id)),
          ),
        );
      const ours = existing?.own === true || (ownNote && content.startsWith(OWN_NOTE_MARKER));
      if (existing) {
        if (event.content != null && !ours)
          await tx
            .update(M)
            .set({ content })
            .where(
              and(
                eq(M.tenantId, tenantId),
                eq(M.conversationId, conversation.id),
                eq(M.externalId, String(event.id)),
              ),
            );
      } else {
        await tx.insert(M).values({
          tenantId,
          conversationId: conversation.id,
          externalId: String(event.id),
          direction: event.message_type,
          private: event.private,
          own: ours,
          senderName: event.sender?.name ?? null,
          content,
          createdAt: at,
        });
      }
      if (!before) {
        await timeline(tx, conversation, 'created', `New conversation #${conversation.displayId}`, {
          contact: conversation.contactName,
        });
      }
      await changed(tx, conversation);
      if (ours) return { status: 'ignored', reason: 'our own note, echoed back by Chatwoot' };
      if (event.message_type === 'incoming' && !existing) {
        await timeline(
          tx,
          conversation,
          'message_received',
          `${conversation.contactName ?? 'The customer'} wrote in #${conversation.displayId}`,
          { messageId: event.id },
          preview(content),
        );
      }
      return { status: 'processed' };
    },

    async onConversation(tx, tenantId, event, row, escalationRequester) {
      const { row: conversation, before } = await upsertConversation(
        tx,
        tenantId,
        event.account.id,
        event,
      );
      const delta = changes(event.changed_attributes);
      if (!before) {
        await timeline(tx, conversation, 'created', `New conversation #${conversation.displayId}`, {
          contact: conversation.contactName,
        });
      }
      // conversation_status_changed carries changed_attributes: null (CONTRACT §2.4.5): compare.
      const status = delta.get('status');
      if (status || (before && before.status !== conversation.status)) {
        const from = (status?.previous as string | undefined) ?? before?.status ?? null;
        if (from !== conversation.status)
          await timeline(
            tx,
            conversation,
            'status_changed',
            `Conversation #${conversation.displayId} is ${conversation.status}`,
            { from, to: conversation.status },
          );
      }
      if (delta.has('assignee_id') && row.eventType === 'conversation_updated') {
        await timeline(
          tx,
          conversation,
          'assigned',
          conversation.assigneeName
            ? `Conversation #${conversation.displayId} assigned to ${conversation.assigneeName}`
            : `Conversation #${conversation.displayId} unassigned`,
          { assignee: conversation.assigneeName },
        );
      }
      if (delta.has('team_id') && row.eventType === 'conversation_updated') {
        await timeline(
          tx,
          conversation,
          'team_changed',
          conversation.teamName
            ? `Conversation #${conversation.displayId} moved to team ${conversation.teamName}`
            : `Conversation #${conversation.displayId} has no team`,
          { team: conversation.teamName },
        );
      }
      await changed(tx, conversation);

      // The escalation label, newly there: escalate (once: a pending one is returned instead).
      const labelsBefore = delta.has('label_list')
        ? toLabels(delta.get('label_list')?.previous)
        : (before?.labels ?? []);
      const labelAdded =
        conversation.labels.includes(options.escalationLabel) &&
        !labelsBefore.includes(options.escalationLabel);
      if (!labelAdded) return { status: 'processed' };
      if (!escalationRequester) {
        return {
          status: 'processed',
          reason: `label "${options.escalationLabel}" seen, but the Inbox settings name no escalationRequester`,
        };
      }
      const actor = await requesterActor(tx, tenantId, escalationRequester);
      if (!actor) {
        return {
          status: 'processed',
          reason: `label "${options.escalationLabel}" seen, but ${escalationRequester} is not a member`,
        };
      }
      const { approval, created } = await escalateInTx(
        options.approvals,
        tx,
        actor,
        conversation.id,
        'label',
      );
      return {
        status: 'processed',
        reason: created ? `escalated: approval ${approval.id}` : `already pending: ${approval.id}`,
      };
    },
  };
}

function toLabels(value: unknown): string[] {
  if (Array.isArray(value)) return value.map(String);
  if (typeof value === 'string')
    return value
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  return [];
}
