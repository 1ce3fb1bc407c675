import type { Conversation, ConversationMessage } from '@afenda/contracts';
import type { Database, Tx } from '@afenda/db';
import { schema } from '@afenda/db';
import { and, desc, eq, getTableColumns } from 'drizzle-orm';
import { beyond, cursorTime, decodeCursor, keysetPage } from '@afenda/platform/cursor';
import {
  conversationNotFound,
  decidedEscalations,
  pendingEscalation,
  type ConversationRow,
} from './escalate.ts';

const C = schema.conversations;
const M = schema.conversationMessages;

/** Links into Chatwoot when its URL is known for the organisation (Inbox settings baseUrl). */
export type ChatwootUrlOf = (row: ConversationRow) => string | null;

export async function toConversation(
  tx: Tx,
  row: ConversationRow,
  urlOf: ChatwootUrlOf,
): Promise<Conversation> {
  const pending = await pendingEscalation(tx, row);
  const [decided] = await decidedEscalations(tx, row);
  return {
    id: row.id,
    tenantId: row.tenantId,
    source: 'chatwoot',
    accountId: row.accountId,
    displayId: row.displayId,
    inboxId: row.inboxId,
    status: row.status,
    contactName: row.contactName,
    assigneeName: row.assigneeName,
    teamName: row.teamName,
    labels: row.labels,
    lastMessagePreview: row.lastMessagePreview,
    lastActivityAt: row.lastActivityAt.toISOString(),
    createdAt: row.createdAt.toISOString(),
    pendingApprovalId: pending?.id ?? null,
    lastDecision:
      decided?.decision && decided.decidedAt
        ? {
            approvalId: decided.approvalId,
            decision: decided.decision,
            decidedBy: decided.decidedBy,
            decidedByName: decided.decidedByName,
            decidedAt: decided.decidedAt.toISOString(),
            note: decided.note,
          }
        : null,
    chatwootUrl: urlOf(row),
  };
}

export async function listConversations(
  database: Database,
  tenantId: string,
  f: {
    status: 'open' | 'resolved' | 'pending' | 'snoozed' | 'all';
    limit: number;
    cursor?: string;
  },
  urlOf: ChatwootUrlOf,
): Promise<{ conversations: Conversation[]; nextCursor: string | null }> {
  const cursor = decodeCursor(f.cursor);
  return database.withTenant(tenantId, async (tx) => {
    const rows = await tx
      .select({ ...getTableColumns(C), cursorAt: cursorTime(C.lastActivityAt) })
      .from(C)
      .where(
        and(
          eq(C.tenantId, tenantId),
          f.status === 'all' ? undefined : eq(C.status, f.status),
          cursor ? beyond(C.lastActivityAt, C.id, cursor, 'before') : undefined,
        ),
      )
      .orderBy(desc(C.lastActivityAt), desc(C.id))
      .limit(f.limit + 1);
    const { page, nextCursor } = keysetPage(rows, f.limit);
    return {
      conversations: await Promise.all(page.map((r) => toConversation(tx, r, urlOf))),
      nextCursor,
    };
  });
}

export async function getConversation(
  database: Database,
  tenantId: string,
  where: { id: string } | { accountId: number; displayId: number },
  urlOf: ChatwootUrlOf,
): Promise<{ conversation: Conversation; messages: ConversationMessage[] }> {
  return database.withTenant(tenantId, async (tx) => {
    const [row] = await tx
      .select()
      .from(C)
      .where(
        and(
          eq(C.tenantId, tenantId),
          'id' in where
            ? eq(C.id, where.id)
            : and(eq(C.accountId, where.accountId), eq(C.displayId, where.displayId)),
        ),
      );
    if (!row) throw conversationNotFound();
    const messages = await tx
      .select()
      .from(M)
      .where(and(eq(M.tenantId, tenantId), eq(M.conversationId, row.id)))
      .orderBy(desc(M.createdAt), desc(M.id))
      .limit(200);
    messages.reverse(); // the latest 200, oldest first
    return {
      conversation: await toConversation(tx, row, urlOf),
      messages: messages.map((m) => ({
        id: m.id,
        direction: m.direction,
        private: m.private,
        senderName: m.senderName,
        content: m.content,
        createdAt: m.createdAt.toISOString(),
      })),
    };
  });
}
