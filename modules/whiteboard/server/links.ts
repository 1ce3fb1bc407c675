import type { WhiteboardLink, WhiteboardSubjectType } from '@afenda/contracts';
import { schema, type Database, type Tx } from '@afenda/db';
import { and, eq } from 'drizzle-orm';
import { AppError } from '@afenda/platform/errors';
import { loadVisible } from '@afenda/platform/approvals/approvals';
import { recordActivity } from '@afenda/platform/activity/record-activity';
import { assertMayEdit, L, loadBoard, toLink, type Actor, type BoardRow } from './whiteboards.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Checks the subject: an approval must be one the caller can see (drafts are their requester's
 * only); a conversation must be in our mirror of the tenant's conversations (its id there). Links the board to it
 * (idempotent) and puts the link on the timeline the first time.
 */
export async function attachLink(
  tx: Tx,
  actor: Actor,
  board: BoardRow,
  subject: { subjectType: WhiteboardSubjectType; subjectId: string },
): Promise<WhiteboardLink> {
  let label: string;
  if (!UUID.test(subject.subjectId)) {
    throw new AppError('WHITEBOARD_LINK_INVALID', 400, `A ${subject.subjectType} id is a UUID`, {
      subjectType: subject.subjectType,
      subjectId: subject.subjectId,
    });
  }
  const subjectId = subject.subjectId.toLowerCase();
  if (subject.subjectType === 'approval') {
    const approval = await loadVisible(tx, actor, subjectId);
    label = `approval “${approval.title}”`;
  } else {
    const [conversation] = await tx
      .select({ contactName: schema.conversations.contactName })
      .from(schema.conversations)
      .where(
        and(
          eq(schema.conversations.tenantId, actor.tenantId),
          eq(schema.conversations.id, subjectId),
        ),
      );
    if (!conversation) throw new AppError('CONVERSATION_NOT_FOUND', 404, 'Conversation not found');
    label = conversation.contactName
      ? `the conversation with ${conversation.contactName}`
      : 'a conversation';
  }
  const [inserted] = await tx
    .insert(L)
    .values({
      tenantId: actor.tenantId,
      boardId: board.id,
      subjectType: subject.subjectType,
      subjectId,
      createdBy: actor.userId,
    })
    .onConflictDoNothing()
    .returning();
  if (!inserted) {
    const [existing] = await tx
      .select()
      .from(L)
      .where(
        and(
          eq(L.tenantId, actor.tenantId),
          eq(L.boardId, board.id),
          eq(L.subjectType, subject.subjectType),
          eq(L.subjectId, subjectId),
        ),
      );
    return toLink(existing!);
  }
  await recordActivity(tx, {
    tenantId: actor.tenantId,
    actorId: actor.userId,
    source: 'whiteboard',
    subjectType: 'whiteboard',
    subjectId: board.id,
    verb: 'linked',
    title: `Whiteboard “${board.title}” linked to ${label}`,
    data: { linkedType: subject.subjectType, linkedId: subjectId },
  });
  return toLink(inserted);
}

export async function linkWhiteboard(
  database: Database,
  actor: Actor,
  id: string,
  subject: { subjectType: WhiteboardSubjectType; subjectId: string },
): Promise<{ link: WhiteboardLink; created: boolean }> {
  assertMayEdit(actor);
  return database.withTenant(
    actor.tenantId,
    async (tx) => {
      const board = await loadBoard(tx, actor.tenantId, id, { active: true });
      const before = await tx
        .select({ boardId: L.boardId })
        .from(L)
        .where(
          and(
            eq(L.tenantId, actor.tenantId),
            eq(L.boardId, id),
            eq(L.subjectType, subject.subjectType),
            eq(L.subjectId, subject.subjectId.toLowerCase()),
          ),
        );
      const link = await attachLink(tx, actor, board, subject);
      return { link, created: before.length === 0 };
    },
    actor.userId,
  );
}

export async function unlinkWhiteboard(
  database: Database,
  actor: Actor,
  id: string,
  subject: { subjectType: WhiteboardSubjectType; subjectId: string },
): Promise<void> {
  assertMayEdit(actor);
  await database.withTenant(
    actor.tenantId,
    async (tx) => {
      await loadBoard(tx, actor.tenantId, id);
      const removed = await tx
        .delete(L)
        .where(
          and(
            eq(L.tenantId, actor.tenantId),
            eq(L.boardId, id),
            eq(L.subjectType, subject.subjectType),
            eq(L.subjectId, subject.subjectId.toLowerCase()),
          ),
        )
        .returning();
      if (removed.length === 0)
        throw new AppError('WHITEBOARD_LINK_NOT_FOUND', 404, 'The board is not linked to that');
    },
    actor.userId,
  );
}
