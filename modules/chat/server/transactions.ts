/**
 * Acting on Synapse's application-service transactions (stored first by the webhook pipeline,
 * processed here once, in the delivery's transaction). Only rooms the product created are read:
 * messages become timeline entries (room, sender, a plain-text excerpt), mentions raise the
 * person's notification, membership changes appear too. A membership or power-level change made
 * by anyone but the orchestrator's bot is drift: recorded ("Keycloak is the source of truth") and
 * set back by a reconcile through the outbox. In a person's direct room with the bot, replies
 * decide approvals (decisions.ts).
 *
 * A transaction spans organisations: each event is handled inside its room's tenant, set for
 * the rest of the transaction with set_config (row-level security reads it per statement).
 */
import { actInTenant, schema, type Tx } from '@afenda/db';
import { recordActivity } from '@afenda/platform/activity/record-activity';
import { raiseNotifications } from '@afenda/platform/notifications/raise';
import { ACCESS_KIND } from '@afenda/platform/access/engine';
import { enqueueOutbound } from '@afenda/platform/outbound/outbound';
import type { Outcome } from '@afenda/platform/webhooks/deliveries';
import { and, eq, inArray, isNull, lt, or, sql } from 'drizzle-orm';
import { z } from 'zod';
import { chatRooms } from './schema.ts';
import { powerLevelDrift, powerLevelsFor, type Role } from './matrix/rooms.ts';
import { localpartOf } from './setup.ts';

const event = z
  .object({
    type: z.string(),
    room_id: z.string(),
    sender: z.string(),
    event_id: z.string(),
    state_key: z.string().optional(),
    origin_server_ts: z.number().optional(),
    content: z.record(z.string(), z.unknown()).default({}),
    prev_content: z.record(z.string(), z.unknown()).optional(),
    unsigned: z
      .object({ prev_content: z.record(z.string(), z.unknown()).optional() })
      .loose()
      .optional(),
  })
  .loose();
export type MatrixEvent = z.infer<typeof event>;

export const transactionBody = z.object({ events: z.array(z.unknown()).default([]) }).loose();

export type ChatRoom = typeof chatRooms.$inferSelect;

/** Sets the tenant the following statements of this transaction act in. */
export const actIn = actInTenant;

/** Plain text, one line, at most n characters: what the timeline and the bell show. */
export function excerpt(text: unknown, n = 280): string {
  const s = typeof text === 'string' ? text.replace(/\s+/g, ' ').trim() : '';
  return s.length > n ? `${s.slice(0, n - 1)}…` : s;
}

interface Member {
  userId: string;
  displayName: string;
}

export interface TransactionDeps {
  botUserId: string;
  serverName: string;
  /** Direct-room events: replies and reactions that decide approvals. */
  onDirectEvent(tx: Tx, room: ChatRoom, e: MatrixEvent): Promise<void>;
  /** Who the directory says is in a managed room, at which role (Matrix user id → role). */
  desiredMembers(room: ChatRoom): Promise<Map<string, Role>>;
}

/** The tenant's members by Matrix user id (read in the tenant's context). */
async function membersOf(tx: Tx, serverName: string): Promise<Map<string, Member>> {
  const rows = await tx
    .select({
      userId: schema.users.id,
      username: schema.users.username,
      displayName: schema.users.displayName,
    })
    .from(schema.userTenants)
    .innerJoin(schema.users, eq(schema.users.id, schema.userTenants.userId))
    .where(eq(schema.userTenants.tenantId, sql`afenda.current_tenant_id()`));
  return new Map(
    rows.map((r) => [
      `@${localpartOf(r.username)}:${serverName}`,
      { userId: r.userId, displayName: r.displayName },
    ]),
  );
}

/** Who a message mentions: m.mentions, matrix.to links and plain @user:server in the text. */
export function mentionsIn(content: Record<string, unknown>, serverName: string): Set<string> {
  const out = new Set<string>();
  const m = content['m.mentions'] as { user_ids?: unknown } | undefined;
  if (Array.isArray(m?.user_ids))
    for (const id of m.user_ids) if (typeof id === 'string') out.add(id);
  const text = `${String(content.body ?? '')} ${String(content.formatted_body ?? '')}`;
  const server = serverName.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  for (const match of text.matchAll(new RegExp(`@[a-z0-9._=\\-/]+:${server}`, 'g')))
    out.add(match[0]);
  return out;
}

const MEMBERSHIP_VERB: Record<string, string> = {
  join: 'joined',
  invite: 'was invited to',
  leave: 'left',
  ban: 'was banned from',
};

/** Handles the events of one stored transaction; says what it did. */
export async function processTransaction(
  deps: TransactionDeps,
  tx: Tx,
  body: unknown,
  homeTenant: string,
): Promise<Outcome> {
  const parsed = transactionBody.safeParse(body);
  if (!parsed.success)
    return { status: 'ignored', reason: 'not an application-service transaction' };
  const events: MatrixEvent[] = [];
  let malformed = 0;
  for (const raw of parsed.data.events) {
    const e = event.safeParse(raw);
    if (e.success) events.push(e.data);
    else malformed++;
  }
  const roomIds = [...new Set(events.map((e) => e.room_id))];
  const rooms = roomIds.length
    ? await tx.select().from(chatRooms).where(inArray(chatRooms.roomId, roomIds))
    : [];
  const byRoom = new Map(rooms.map((r) => [r.roomId, r]));
  const counts = { timeline: 0, mentions: 0, drift: 0, direct: 0, foreign: 0, other: 0 };
  const members = new Map<string, Map<string, Member>>();
  let current = homeTenant;
  const enter = async (tenantId: string) => {
    if (current !== tenantId) await actIn(tx, tenantId);
    current = tenantId;
    if (!members.has(tenantId)) members.set(tenantId, await membersOf(tx, deps.serverName));
    return members.get(tenantId)!;
  };
  const nameOf = (who: Map<string, Member>, mxid: string) => who.get(mxid)?.displayName ?? mxid;
  const wanted = new Map<string, Promise<Map<string, Role>>>();
  const desired = (room: ChatRoom) => {
    if (!wanted.has(room.id)) wanted.set(room.id, deps.desiredMembers(room));
    return wanted.get(room.id)!;
  };

  // Each room's last message, written once per room and transaction.
  const latest = new Map<string, { room: ChatRoom; at: Date; sender: string; text: string }>();
  for (const e of events) {
    const room = byRoom.get(e.room_id);
    if (!room) {
      counts.foreign++;
      continue;
    }
    if (room.kind === 'direct') {
      if (e.sender !== deps.botUserId) {
        await enter(room.tenantId);
        await deps.onDirectEvent(tx, room, e);
        counts.direct++;
      }
      continue;
    }
    const who = await enter(room.tenantId);
    const actorId = who.get(e.sender)?.userId ?? null;
    const at = new Date(typeof e.origin_server_ts === 'number' ? e.origin_server_ts : Date.now());
    if (e.type === 'm.room.message' && e.sender !== deps.botUserId) {
      const text = excerpt(e.content.body);
      latest.set(room.id, { room, at, sender: nameOf(who, e.sender), text });
      await recordActivity(tx, {
        tenantId: room.tenantId,
        actorId,
        source: 'matrix',
        subjectType: 'chat_room',
        subjectId: room.id,
        verb: 'message',
        title: `${nameOf(who, e.sender)} in ${room.name}`,
        description: text,
        data: { roomId: e.room_id, eventId: e.event_id, sender: e.sender },
      });
      counts.timeline++;
      const mentioned = [...mentionsIn(e.content, deps.serverName)]
        .filter((id) => id !== e.sender)
        .map((id) => who.get(id))
        .filter((m): m is Member => !!m);
      if (mentioned.length) {
        await raiseNotifications(
          tx,
          room.tenantId,
          mentioned.map((m) => ({
            userId: m.userId,
            kind: 'chat.mention',
            title: `${nameOf(who, e.sender)} mentioned you in ${room.name}`,
            body: text,
            subjectType: 'chat_room',
            subjectId: room.id,
            url: '/app/chat',
          })),
        );
        counts.mentions += mentioned.length;
      }
      continue;
    }
    if (e.type === 'm.room.member' && e.state_key) {
      const membership = String(e.content.membership ?? '');
      const target = e.state_key;
      if (target === deps.botUserId) continue;
      const byBot = e.sender === deps.botUserId;
      const removed = membership === 'leave' && e.sender !== target;
      const verb = removed ? 'was removed from' : (MEMBERSHIP_VERB[membership] ?? membership);
      // Drift: someone in the room the directory doesn't put there (whoever let them in: the
      // server admin API acts as the room's creator), or removed by anyone but the bot.
      const entering = membership === 'join' || membership === 'invite';
      const drift = entering
        ? !(await desired(room)).has(target)
        : membership === 'leave'
          ? !byBot && e.sender !== target
          : !byBot;
      await recordActivity(tx, {
        tenantId: room.tenantId,
        actorId: byBot ? null : actorId,
        source: 'matrix',
        subjectType: 'chat_room',
        subjectId: room.id,
        verb: drift ? 'drift' : 'membership',
        title: drift
          ? `${nameOf(who, target)} ${verb} ${room.name} outside Keycloak (by ${nameOf(who, e.sender)}); set back: Keycloak is the source of truth`
          : `${nameOf(who, target)} ${verb} ${room.name}`,
        data: {
          roomId: e.room_id,
          eventId: e.event_id,
          userId: target,
          membership,
          sender: e.sender,
        },
      });
      counts.timeline++;
      if (drift) {
        await repair(tx, room, e.event_id, enter);
        counts.drift++;
      }
      continue;
    }
    if (e.type === 'm.room.power_levels') {
      // The bot's own changes follow the mapping; anything else (a local edit, or the server
      // admin API, which acts as the room's creator) is drift.
      const differs = powerLevelDrift(e.content, powerLevelsFor(await desired(room)));
      if (differs.length === 0) continue;
      await recordActivity(tx, {
        tenantId: room.tenantId,
        actorId: e.sender === deps.botUserId ? null : actorId,
        source: 'matrix',
        subjectType: 'chat_room',
        subjectId: room.id,
        verb: 'drift',
        title: `Power levels of ${room.name} changed outside Keycloak (${differs.slice(0, 3).join('; ')}); set back: Keycloak is the source of truth`,
        data: {
          roomId: e.room_id,
          eventId: e.event_id,
          sender: e.sender,
          differs,
          before: (e.unsigned?.prev_content ?? e.prev_content ?? null) as unknown,
          after: e.content,
        },
      });
      await repair(tx, room, e.event_id, enter);
      counts.timeline++;
      counts.drift++;
      continue;
    }
    counts.other++;
  }
  for (const { room, at, sender, text } of latest.values()) {
    await enter(room.tenantId);
    await tx
      .update(chatRooms)
      .set({ lastEventAt: at, lastSender: sender, lastExcerpt: text })
      .where(
        and(
          eq(chatRooms.tenantId, room.tenantId),
          eq(chatRooms.id, room.id),
          // Transactions may be processed out of order: the newest message wins.
          or(isNull(chatRooms.lastEventAt), lt(chatRooms.lastEventAt, at)),
        ),
      );
  }
  if (current !== homeTenant) await actIn(tx, homeTenant);
  const parts = Object.entries(counts)
    .filter(([, n]) => n > 0)
    .map(([k, n]) => `${n} ${k}`);
  const acted = counts.timeline + counts.direct + counts.drift;
  const reason = [
    `${events.length} events${malformed ? ` (${malformed} malformed, skipped)` : ''}: ${parts.join(', ') || 'nothing to do'}`,
    counts.foreign ? 'events in rooms the product did not create are ignored' : '',
  ]
    .filter(Boolean)
    .join('; ')
    .slice(0, 1000);
  return acted ? { status: 'processed', reason } : { status: 'ignored', reason };
}

/** Sets the organisation's rooms back from the directory: an access run, through the outbox. */
async function repair(
  tx: Tx,
  room: ChatRoom,
  eventId: string,
  enter: (tenantId: string) => Promise<unknown>,
): Promise<void> {
  const org = room.orgTenantId ?? room.tenantId;
  await enter(org);
  await enqueueOutbound(tx, {
    tenantId: org,
    kind: ACCESS_KIND,
    subjectId: `matrix:drift:${eventId}`.slice(0, 200),
    payload: { tool: 'matrix', orgTenantId: org, trigger: 'drift' },
  });
}
