/**
 * Deciding approvals from chat. When an approval is submitted, each person who may decide it
 * gets a notice in their direct room with the orchestrator's bot (what, who asked, a link to the
 * Shell), and the requester's room gets a line that the decision will answer in its thread.
 * Replying `approve`, or `reject <reason>` (or reacting ✅, or ❌ and then giving the reason)
 * decides through the same engine and rules as the Shell (deciders only, one winner, 409s,
 * a ledger entry with source: matrix). Then each notice is edited to show the outcome and the
 * thread is answered. Every call into Synapse goes through the outbox.
 */
import type { Approval } from '@afenda/contracts';
import { schema, type Database, type Tx } from '@afenda/db';
import type { ApprovalRegistry } from '@afenda/platform/approvals/registry';
import { decideApproval } from '@afenda/platform/approvals/transition-approval';
import { AppError } from '@afenda/platform/errors';
import { enqueueOutbound, type OutboundHandler } from '@afenda/platform/outbound/outbound';
import { and, desc, eq } from 'drizzle-orm';
import type { MatrixClient } from './matrix/client.ts';
import { directRoomBody } from './matrix/rooms.ts';
import { chatNotices, chatRooms } from './schema.ts';
import { actIn, excerpt, type ChatRoom, type MatrixEvent } from './transactions.ts';
import { ALIAS_PREFIX, userIdOf } from './setup.ts';

export const NOTIFY_KIND = 'matrix.approval-notices';
export const OUTCOME_KIND = 'matrix.approval-outcome';
export const SEND_KIND = 'matrix.send';

export interface DecisionDeps {
  database: Database;
  types: ApprovalRegistry;
  client: () => MatrixClient;
  serverName: string;
  shellUrl: string;
}

const A = schema.approvals;
const UT = schema.userTenants;
const U = schema.users;

/** What a reply says: a decision, a reason on its own, or nothing we understand. */
export function parseReply(
  text: string,
): { decision: 'approved' } | { decision: 'rejected'; reason: string } | { reason: string } | null {
  const t = text.trim();
  if (/^(approved?|yes|✅|👍)(?=[\s.!]|$)/iu.test(t)) return { decision: 'approved' };
  const reject = /^(reject|rejected|decline|no|❌|👎)(?:\s+|\s*[:,-]\s*|$)([\s\S]*)$/iu.exec(t);
  if (reject) return { decision: 'rejected', reason: reject[2]!.trim() };
  return t ? { reason: t } : null;
}

const APPROVE_KEYS = new Set(['✅', '✔️', '👍', '✔']);
const REJECT_KEYS = new Set(['❌', '👎', '✖️']);

/** A message from the bot, through the outbox (idempotent by its subject). */
export function say(
  tx: Tx,
  tenantId: string,
  roomId: string,
  subject: string,
  text: string,
  extra: Record<string, unknown> = {},
) {
  return enqueueOutbound(tx, {
    tenantId,
    kind: SEND_KIND,
    subjectId: subject.slice(0, 200),
    payload: { roomId, content: { msgtype: 'm.notice', body: text, ...extra } },
  });
}

/** The notice a direct-room event answers: the one it replies or reacts to, else the latest open one. */
async function noticeFor(tx: Tx, room: ChatRoom, relatesTo: string | undefined) {
  const base = and(eq(chatNotices.roomId, room.roomId), eq(chatNotices.decided, false));
  const [row] = await tx
    .select()
    .from(chatNotices)
    .where(relatesTo ? and(base, eq(chatNotices.eventId, relatesTo)) : base)
    .orderBy(desc(chatNotices.awaitingReason), desc(chatNotices.createdAt))
    .limit(1);
  return row;
}

/** A reply or reaction in someone's direct room with the bot. */
export function directEvents(deps: DecisionDeps) {
  return async (tx: Tx, room: ChatRoom, e: MatrixEvent): Promise<void> => {
    const owner = room.userId!;
    const reply = (text: string) =>
      say(tx, room.tenantId, room.roomId, `reply:${e.event_id}`, text);
    const rel = e.content['m.relates_to'] as
      | {
          rel_type?: string;
          event_id?: string;
          key?: string;
          'm.in_reply_to'?: { event_id?: string };
        }
      | undefined;
    let decision: { decision: 'approved' } | { decision: 'rejected'; reason: string } | null = null;
    let relatesTo: string | undefined;
    if (e.type === 'm.reaction' && rel?.rel_type === 'm.annotation' && rel.event_id) {
      relatesTo = rel.event_id;
      const key = String(rel.key ?? '');
      if (APPROVE_KEYS.has(key)) decision = { decision: 'approved' };
      else if (REJECT_KEYS.has(key)) {
        const notice = await noticeFor(tx, room, relatesTo);
        if (!notice) return;
        await tx
          .update(chatNotices)
          .set({ awaitingReason: true })
          .where(
            and(eq(chatNotices.tenantId, notice.tenantId), eq(chatNotices.eventId, notice.eventId)),
          );
        await reply(
          'Why is it rejected? Reply with the reason and it is recorded with the decision.',
        );
        return;
      } else return;
    } else if (e.type === 'm.room.message') {
      relatesTo = rel?.['m.in_reply_to']?.event_id;
      const parsed = parseReply(String(e.content.body ?? '').replace(/^(>.*\n)+\n?/, ''));
      if (!parsed) return;
      if ('decision' in parsed) {
        if (parsed.decision === 'rejected' && !parsed.reason) {
          const notice = await noticeFor(tx, room, relatesTo);
          if (notice)
            await tx
              .update(chatNotices)
              .set({ awaitingReason: true })
              .where(
                and(
                  eq(chatNotices.tenantId, notice.tenantId),
                  eq(chatNotices.eventId, notice.eventId),
                ),
              );
          await reply('A rejection needs a reason: reply `reject <reason>`, or just the reason.');
          return;
        }
        decision = parsed;
      } else {
        const notice = await noticeFor(tx, room, relatesTo);
        if (notice?.awaitingReason) decision = { decision: 'rejected', reason: parsed.reason };
        else {
          await reply('Reply `approve`, or `reject <reason>`, to the request you are deciding.');
          return;
        }
      }
    } else return;

    const notice = await noticeFor(tx, room, relatesTo);
    if (!notice) {
      await reply('There is nothing waiting for your decision here.');
      return;
    }
    // The decider's role where the approval lives.
    await actIn(tx, notice.tenantId);
    const [membership] = await tx
      .select({ role: UT.role, canApprove: UT.canApprove })
      .from(UT)
      .where(and(eq(UT.tenantId, notice.tenantId), eq(UT.userId, owner)));
    await actIn(tx, room.tenantId);
    const text =
      decision.decision === 'approved' ? undefined : excerpt(decision.reason, 2000) || undefined;
    try {
      if (!membership)
        throw new AppError(
          'APPROVAL_DECIDER_REQUIRED',
          403,
          'You are no longer a member of that organisation',
        );
      await decideApproval(
        deps.types,
        deps.database,
        { tenantId: notice.tenantId, userId: owner, ...membership },
        notice.approvalId,
        decision.decision,
        text,
        { source: 'matrix' },
      );
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      if (err.code === 'APPROVAL_ALREADY_DECIDED') {
        const [now] = await deps.database.withTenant(notice.tenantId, (t) =>
          t
            .select({ decidedBy: A.decidedBy, status: A.status })
            .from(A)
            .where(eq(A.id, notice.approvalId)),
        );
        // A retry of this very reply finds its own decision: nothing more to say.
        if (now?.decidedBy === owner && now.status === decision.decision) return;
        await reply(`Already decided: it was ${now?.status ?? 'decided'} before your reply.`);
        return;
      }
      await reply(`Not recorded: ${err.message}.`);
    }
  };
}

/** The direct room of a person with the bot, created once. */
async function directRoom(
  deps: DecisionDeps,
  tx: Tx,
  person: { userId: string; username: string; personalTenantId: string },
): Promise<string> {
  const [known] = await tx
    .select({ roomId: chatRooms.roomId })
    .from(chatRooms)
    .where(and(eq(chatRooms.userId, person.userId), eq(chatRooms.kind, 'direct')));
  if (known) return known.roomId;
  const client = deps.client();
  const mxid = userIdOf(person.username, deps.serverName);
  await client.ensureUser(mxid.slice(1, mxid.indexOf(':')), person.username);
  const roomId = await client.createRoomWithAlias(
    `${ALIAS_PREFIX}${person.userId.replaceAll('-', '')}_direct`,
    directRoomBody(mxid, 'Workspace approvals'),
  );
  await client.join(roomId, mxid);
  // Recorded at once: the events that follow in this room must find it.
  await deps.database.transaction({ service: 'jobs' }, (t) =>
    t
      .insert(chatRooms)
      .values({
        tenantId: person.personalTenantId,
        roomId,
        kind: 'direct',
        userId: person.userId,
        name: 'Workspace approvals',
      })
      .onConflictDoNothing(),
  );
  return roomId;
}

const link = (deps: DecisionDeps, a: Pick<Approval, 'id'>) =>
  `${deps.shellUrl.replace(/\/+$/, '')}/app/approvals/${a.id}`;

/** Submitted: notices to the deciders and a line in the requester's room (outbox). */
export const onSubmitted = (tx: Tx, approval: Approval) =>
  enqueueOutbound(tx, {
    tenantId: approval.tenantId,
    kind: NOTIFY_KIND,
    subjectId: approval.id,
  }).then(() => undefined);

/** Decided: the notices edited, the thread answered (outbox). */
export const onDecided = (tx: Tx, approval: Approval) =>
  enqueueOutbound(tx, {
    tenantId: approval.tenantId,
    kind: OUTCOME_KIND,
    subjectId: approval.id,
  }).then(() => undefined);

async function loadApproval(tx: Tx, id: string) {
  const [row] = await tx
    .select({
      id: A.id,
      tenantId: A.tenantId,
      type: A.type,
      title: A.title,
      status: A.status,
      requestedBy: A.requestedBy,
      decidedBy: A.decidedBy,
      decisionComment: A.decisionComment,
    })
    .from(A)
    .where(eq(A.id, id));
  return row;
}

async function people(tx: Tx, tenantId: string) {
  return tx
    .select({
      userId: U.id,
      username: U.username,
      displayName: U.displayName,
      personalTenantId: U.personalTenantId,
      enabled: U.enabled,
      role: UT.role,
      canApprove: UT.canApprove,
    })
    .from(UT)
    .innerJoin(U, eq(U.id, UT.userId))
    .where(eq(UT.tenantId, tenantId));
}

export function noticeHandlers(deps: DecisionDeps): Record<string, OutboundHandler> {
  return {
    [SEND_KIND]: async (_tx, action) => {
      const { roomId, content } = action.payload as { roomId: string; content: unknown };
      const eventId = await deps.client().send(roomId, `afenda-${action.id}`, content);
      return { eventId };
    },
    [NOTIFY_KIND]: async (tx, action) => {
      const approval = await loadApproval(tx, action.subjectId);
      if (!approval || approval.status !== 'submitted') return { skipped: 'no longer submitted' };
      const client = deps.client();
      const type = deps.types.type(approval.type);
      const members = await people(tx, approval.tenantId);
      const requester = members.find((m) => m.userId === approval.requestedBy);
      const deciders = members.filter(
        (m) => m.enabled && m.userId !== approval.requestedBy && type?.mayDecide(m),
      );
      const what = `${type?.title ?? 'Approval'}: ${approval.title}`;
      const sent: string[] = [];
      for (const d of deciders) {
        if (!d.personalTenantId) continue;
        const roomId = await directRoom(deps, tx, { ...d, personalTenantId: d.personalTenantId });
        const body =
          `${requester?.displayName ?? 'Someone'} asks for your decision. ${what}\n` +
          `Reply "approve", or "reject <reason>" (or react ✅ / ❌). Open it in the workspace: ${link(deps, approval)}`;
        const eventId = await client.send(roomId, `afenda-notice-${approval.id}-${d.userId}`, {
          msgtype: 'm.text',
          body,
        });
        await tx
          .insert(chatNotices)
          .values({
            tenantId: approval.tenantId,
            approvalId: approval.id,
            userId: d.userId,
            roomId,
            eventId,
          })
          .onConflictDoNothing();
        sent.push(d.userId);
      }
      // The requester's room: the tenant's own (a team's, or the organisation-wide one).
      const homes = await tx
        .select({ roomId: chatRooms.roomId, kind: chatRooms.kind })
        .from(chatRooms)
        .where(eq(chatRooms.tenantId, approval.tenantId));
      const home = homes.find((r) => r.kind === 'team') ?? homes.find((r) => r.kind === 'org');
      if (home) {
        const eventId = await client.send(home.roomId, `afenda-thread-${approval.id}`, {
          msgtype: 'm.notice',
          body: `${requester?.displayName ?? 'Someone'} asked for a decision: ${what}. The outcome will be posted in this thread.`,
        });
        await tx
          .insert(chatNotices)
          .values({
            tenantId: approval.tenantId,
            approvalId: approval.id,
            userId: null,
            roomId: home.roomId,
            eventId,
          })
          .onConflictDoNothing();
      }
      return { deciders: sent.length, thread: !!home };
    },
    [OUTCOME_KIND]: async (tx, action) => {
      const approval = await loadApproval(tx, action.subjectId);
      if (!approval || (approval.status !== 'approved' && approval.status !== 'rejected'))
        return { skipped: 'not decided' };
      const client = deps.client();
      const type = deps.types.type(approval.type);
      const members = await people(tx, approval.tenantId);
      const by = members.find((m) => m.userId === approval.decidedBy)?.displayName ?? 'Someone';
      const outcome =
        `${approval.status === 'approved' ? '✅ Approved' : '❌ Rejected'} by ${by}` +
        (approval.decisionComment ? `: ${approval.decisionComment}` : '');
      const what = `${type?.title ?? 'Approval'}: ${approval.title}`;
      const notices = await tx
        .select()
        .from(chatNotices)
        .where(
          and(eq(chatNotices.tenantId, approval.tenantId), eq(chatNotices.approvalId, approval.id)),
        );
      for (const n of notices) {
        if (n.userId) {
          const body = `${what} — ${outcome}. ${link(deps, approval)}`;
          await client.send(n.roomId, `afenda-outcome-${approval.id}-${n.userId}`, {
            msgtype: 'm.text',
            body: `* ${body}`,
            'm.new_content': { msgtype: 'm.text', body },
            'm.relates_to': { rel_type: 'm.replace', event_id: n.eventId },
          });
        } else {
          await client.send(n.roomId, `afenda-outcome-${approval.id}-thread`, {
            msgtype: 'm.notice',
            body: `${what} — ${outcome}.`,
            'm.relates_to': {
              rel_type: 'm.thread',
              event_id: n.eventId,
              is_falling_back: true,
              'm.in_reply_to': { event_id: n.eventId },
            },
          });
        }
        await tx
          .update(chatNotices)
          .set({ decided: true, awaitingReason: false })
          .where(and(eq(chatNotices.tenantId, n.tenantId), eq(chatNotices.eventId, n.eventId)));
      }
      return {
        edited: notices.filter((n) => n.userId).length,
        thread: notices.some((n) => !n.userId),
      };
    },
  };
}
