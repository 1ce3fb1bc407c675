/**
 * One organisation's Matrix rooms brought in step with the directory, idempotently: its users
 * provisioned (the accounts they get when they sign in to Element through Keycloak), its space,
 * organisation room and team rooms created once (under aliases, so a retried creation finds
 * the room), each desired member invited and joined, everyone else removed, power levels set
 * from the role mapping. Run through the outbox (retried, dead-lettered, replayable), one run
 * per organisation at a time.
 */
import type { Tx } from '@afenda/db';
import { and, eq, sql } from 'drizzle-orm';
import type { DesiredRoom, OrgPlan } from './directory.ts';
import type { MatrixClient } from './matrix/client.ts';
import { createRoomBody, powerLevelDrift, powerLevelsFor } from './matrix/rooms.ts';
import type { PowerLevels } from './matrix/client.ts';
import { chatRooms } from './schema.ts';
import { ALIAS_PREFIX, localpartOf } from './setup.ts';

export interface ReconcileChange {
  room: string;
  subject: string;
  action: 'created' | 'provisioned' | 'invited' | 'joined' | 'removed' | 'power-levels';
  detail?: string;
}

const aliasOf = (room: Pick<DesiredRoom, 'tenantId' | 'kind'>) =>
  `${ALIAS_PREFIX}${room.tenantId.replaceAll('-', '')}_${room.kind}`;

/** Users provisioned (with this display name) by this process: not asked again. */
const provisioned = new Set<string>();

/** The managed room of a tenant and kind, created (and recorded) when missing. */
async function ensureRoom(
  tx: Tx,
  client: MatrixClient,
  room: DesiredRoom,
  changes: ReconcileChange[],
  initialState: Array<{ type: string; state_key: string; content: unknown }> = [],
): Promise<string> {
  const [known] = await tx
    .select({ roomId: chatRooms.roomId, name: chatRooms.name })
    .from(chatRooms)
    .where(and(eq(chatRooms.tenantId, room.tenantId), eq(chatRooms.kind, room.kind)));
  if (known) {
    if (known.name !== room.name) {
      await client.putState(known.roomId, 'm.room.name', { name: room.name });
      await tx
        .update(chatRooms)
        .set({ name: room.name })
        .where(and(eq(chatRooms.tenantId, room.tenantId), eq(chatRooms.kind, room.kind)));
    }
    return known.roomId;
  }
  const roomId = await client.createRoomWithAlias(
    aliasOf(room),
    createRoomBody({
      name: room.name,
      topic: room.topic,
      space: room.kind === 'space',
      members: room.members,
      initialState,
    }),
  );
  await tx
    .insert(chatRooms)
    .values({
      tenantId: room.tenantId,
      roomId,
      kind: room.kind,
      orgTenantId: room.orgTenantId,
      name: room.name,
    })
    .onConflictDoNothing();
  changes.push({ room: room.name, subject: roomId, action: 'created' });
  return roomId;
}

/** Members and power levels of one room, as the directory says. */
async function reconcileMembers(
  client: MatrixClient,
  roomId: string,
  room: DesiredRoom,
  changes: ReconcileChange[],
): Promise<void> {
  const actual = new Map((await client.members(roomId)).map((m) => [m.userId, m]));
  // Power levels first: a member about to be removed loses their level before their membership.
  const wanted = powerLevelsFor(room.members);
  const current = await client.state<PowerLevels>(roomId, 'm.room.power_levels');
  const drift = powerLevelDrift(current, wanted);
  if (drift.length) {
    await client.putState(roomId, 'm.room.power_levels', { ...current, ...wanted });
    changes.push({
      room: room.name,
      subject: roomId,
      action: 'power-levels',
      detail: drift.join('; '),
    });
  }
  for (const [mxid] of room.members) {
    const m = actual.get(mxid);
    if (m?.membership === 'join') continue;
    // Someone who left by themselves keeps an invitation, and isn't pulled back in.
    const leftThemselves = m?.membership === 'leave' && m.sender === mxid;
    if (m?.membership !== 'invite') {
      await client.invite(roomId, mxid, 'Keycloak says so');
      changes.push({ room: room.name, subject: mxid, action: 'invited' });
    }
    if (!leftThemselves) {
      await client.join(roomId, mxid);
      changes.push({ room: room.name, subject: mxid, action: 'joined' });
    }
  }
  for (const [mxid, m] of actual) {
    if (mxid === client.botUserId || room.members.has(mxid)) continue;
    if (m.membership !== 'join' && m.membership !== 'invite') continue;
    await client.kick(roomId, mxid, `Not in ${room.name} in Keycloak`);
    changes.push({ room: room.name, subject: mxid, action: 'removed' });
  }
}

/**
 * Brings one organisation's rooms in step. Serialised per organisation (a transaction-scoped
 * advisory lock on the outbox's transaction); returns what it changed.
 */
export async function reconcileOrganisation(
  tx: Tx,
  client: MatrixClient,
  plan: OrgPlan,
): Promise<ReconcileChange[]> {
  await tx.execute(
    sql`select pg_advisory_xact_lock(hashtext(${`chat.reconcile:${plan.orgTenantId}`}))`,
  );
  const changes: ReconcileChange[] = [];
  for (const person of plan.people.values()) {
    const key = `${person.mxid}|${person.displayName}`;
    if (provisioned.has(key)) continue;
    await client.ensureUser(localpartOf(person.username), person.displayName);
    provisioned.add(key);
  }
  const [space, ...rooms] = plan.rooms;
  const via = [client.serverName];
  const roomIds: string[] = [];
  for (const room of rooms) {
    const roomId = await ensureRoom(tx, client, room, changes);
    roomIds.push(roomId);
    await reconcileMembers(client, roomId, room, changes);
  }
  if (space) {
    const spaceId = await ensureRoom(tx, client, space, changes);
    for (const child of roomIds) {
      const existing = await client.state<{ via?: string[] }>(spaceId, 'm.space.child', child);
      if (!existing?.via?.length) await client.putState(spaceId, 'm.space.child', { via }, child);
    }
    await reconcileMembers(client, spaceId, space, changes);
  }
  return changes;
}
