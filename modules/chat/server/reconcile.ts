/**
 * Matrix as a tool of the access engine (packages/platform/src/access/engine.ts): one
 * organisation's rooms against the directory. Its users are provisioned (the accounts they get
 * when they sign in to Element through Keycloak) and its space, organisation room and team rooms
 * created once (under aliases, so a retried creation finds the room) before the plan; then each
 * person's place in each room is a subject: "member (power 50)", "invited (power 0)" or nothing,
 * with the calls that make it so. The rooms' own thresholds are one more subject per room.
 */
import { schema, type Database } from '@afenda/db';
import type { AccessItem, AccessTool } from '@afenda/platform/access/engine';
import { and, eq } from 'drizzle-orm';
import { readDirectory, type DesiredRoom, type OrgPlan } from './directory.ts';
import type { MatrixClient, PowerLevels, RoomMember } from './matrix/client.ts';
import { createRoomBody, powerLevelDrift, powerLevelsFor, ROLE_POWER } from './matrix/rooms.ts';
import { chatRooms } from './schema.ts';
import { ALIAS_PREFIX, localpartOf } from './setup.ts';

const accessState = schema.accessState;

const aliasOf = (room: Pick<DesiredRoom, 'tenantId' | 'kind'>) =>
  `${ALIAS_PREFIX}${room.tenantId.replaceAll('-', '')}_${room.kind}`;

export interface MatrixToolDeps {
  database: Database;
  serverName: string;
  client: () => MatrixClient;
  configured: () => boolean;
}

/** The managed room of a tenant and kind: known, created now, or (dry run) missing. */
async function roomOf(
  deps: MatrixToolDeps,
  room: DesiredRoom,
  create: boolean,
): Promise<string | null> {
  const [known] = await deps.database.transaction({ service: 'jobs' }, (tx) =>
    tx
      .select({ roomId: chatRooms.roomId, name: chatRooms.name })
      .from(chatRooms)
      .where(and(eq(chatRooms.tenantId, room.tenantId), eq(chatRooms.kind, room.kind))),
  );
  const client = deps.client();
  if (known) {
    if (known.name !== room.name && create) {
      await client.putState(known.roomId, 'm.room.name', { name: room.name });
      await deps.database.transaction({ service: 'jobs' }, (tx) =>
        tx
          .update(chatRooms)
          .set({ name: room.name })
          .where(and(eq(chatRooms.tenantId, room.tenantId), eq(chatRooms.kind, room.kind))),
      );
    }
    return known.roomId;
  }
  if (!create) return null;
  const roomId = await client.createRoomWithAlias(
    aliasOf(room),
    createRoomBody({
      name: room.name,
      topic: room.topic,
      space: room.kind === 'space',
      members: room.members,
    }),
  );
  // Recorded at once, in its own transaction: the events that follow in the room must find it.
  await deps.database.transaction({ service: 'jobs' }, (tx) =>
    tx
      .insert(chatRooms)
      .values({
        tenantId: room.tenantId,
        roomId,
        kind: room.kind,
        orgTenantId: room.orgTenantId,
        name: room.name,
      })
      .onConflictDoNothing(),
  );
  return roomId;
}

const level = (pl: PowerLevels | null, mxid: string) =>
  typeof pl?.users?.[mxid] === 'number' ? pl.users[mxid] : (pl?.users_default ?? 0);

/** What a membership looks like as a subject's state. */
function stateOf(m: RoomMember | undefined, power: number): string | null {
  if (m?.membership === 'join') return `member (power ${power})`;
  if (m?.membership === 'invite') return `invited (power ${power})`;
  return null;
}

/** Users provisioned (with this display name) by this process: not asked again. */
const provisioned = new Set<string>();

async function planRoom(
  deps: MatrixToolDeps,
  plan: OrgPlan,
  room: DesiredRoom,
  roomId: string | null,
  userId: string | undefined,
): Promise<AccessItem[]> {
  const client = deps.client();
  if (!roomId)
    return [
      {
        subject: `room ${room.name}`,
        userId: null,
        desired: 'created',
        actual: null,
      },
    ];
  const members = new Map((await client.members(roomId)).map((m) => [m.userId, m]));
  const pl = await client.state<PowerLevels>(roomId, 'm.room.power_levels');
  const wanted = powerLevelsFor(room.members);
  const items: AccessItem[] = [];
  // The room's own thresholds (who may invite, kick, change state): managed as a whole.
  const thresholds = powerLevelDrift(pl, { ...wanted, users: pl?.users ?? {} });
  if (!userId)
    items.push({
      subject: `settings of ${room.name}`,
      userId: null,
      desired: 'managed',
      actual: thresholds.length ? `changed: ${thresholds.join('; ')}` : 'managed',
      apply: async () => {
        const now = await client.state<PowerLevels>(roomId, 'm.room.power_levels');
        await client.putState(roomId, 'm.room.power_levels', {
          ...now,
          ...wanted,
          users: now?.users ?? {},
        });
      },
    });
  const everyone = new Set([...room.members.keys(), ...members.keys()]);
  everyone.delete(client.botUserId);
  for (const mxid of everyone) {
    const person = plan.people.get(mxid);
    if (userId && person?.userId !== userId) continue;
    const m = members.get(mxid);
    const role = room.members.get(mxid);
    const leftThemselves = m?.membership === 'leave' && m.sender === mxid;
    const power = role ? ROLE_POWER[role] : 0;
    // Someone who left by themselves stays out: nobody is pulled back into a room.
    const desired = role
      ? leftThemselves
        ? 'left by themselves'
        : `member (power ${power})`
      : null;
    const actual = leftThemselves
      ? role
        ? 'left by themselves'
        : null
      : stateOf(m, level(pl, mxid));
    items.push({
      subject: `${mxid} in ${room.name}`,
      userId: person?.userId ?? null,
      desired,
      actual,
      apply: async () => {
        const now = await client.state<PowerLevels>(roomId, 'm.room.power_levels');
        if (level(now, mxid) !== power) {
          const users = { ...(now?.users ?? {}) };
          if (power === 0) delete users[mxid];
          else users[mxid] = power;
          await client.putState(roomId, 'm.room.power_levels', { ...now, users });
        }
        if (!role) {
          if (m?.membership === 'join' || m?.membership === 'invite')
            await client.kick(roomId, mxid, `Not in ${room.name} in Keycloak`);
          return;
        }
        if (m?.membership !== 'join') {
          if (m?.membership !== 'invite') await client.invite(roomId, mxid, 'Keycloak says so');
          await client.join(roomId, mxid);
        }
      },
    });
  }
  return items;
}

export function matrixAccessTool(deps: MatrixToolDeps): AccessTool {
  return {
    id: 'matrix',
    name: 'Matrix',
    guard: 'prevented',
    configured: deps.configured,
    async plan(orgTenantId, { userId, dryRun }) {
      const [plan] = await readDirectory(deps.database, deps.serverName, orgTenantId);
      if (!plan) return [];
      const client = deps.client();
      if (!dryRun)
        for (const person of plan.people.values()) {
          const key = `${person.mxid}|${person.displayName}`;
          if (provisioned.has(key)) continue;
          await client.ensureUser(localpartOf(person.username), person.displayName);
          provisioned.add(key);
        }
      const [space, ...rooms] = plan.rooms;
      const items: AccessItem[] = [];
      const childIds: string[] = [];
      for (const room of rooms) {
        const roomId = await roomOf(deps, room, !dryRun);
        if (roomId) childIds.push(roomId);
        items.push(...(await planRoom(deps, plan, room, roomId, userId)));
      }
      if (space) {
        const spaceId = await roomOf(deps, space, !dryRun);
        if (spaceId && !dryRun)
          for (const child of childIds) {
            const existing = await client.state<{ via?: string[] }>(
              spaceId,
              'm.space.child',
              child,
            );
            if (!existing?.via?.length)
              await client.putState(spaceId, 'm.space.child', { via: [deps.serverName] }, child);
          }
        items.push(...(await planRoom(deps, plan, space, spaceId, userId)));
      }
      // Disabled in Keycloak: the Matrix account is deactivated (the application service may
      // do that for its users). Synapse doesn't tell an application service whether an account
      // is deactivated, so what this tool did last is its record of it (access_state).
      const done = await deps.database.transaction(
        { service: 'jobs', tenantId: orgTenantId },
        (tx) =>
          tx
            .select({ subject: accessState.subject, actual: accessState.actual })
            .from(accessState)
            .where(and(eq(accessState.tenantId, orgTenantId), eq(accessState.tool, 'matrix'))),
      );
      const recorded = new Map(done.map((r) => [r.subject, r.actual]));
      for (const person of plan.disabled.values()) {
        if (userId && person.userId !== userId) continue;
        const subject = `${person.mxid} account`;
        items.push({
          subject,
          userId: person.userId,
          desired: 'deactivated',
          actual: recorded.get(subject) === 'deactivated' ? 'deactivated' : 'active',
          apply: () =>
            client
              .call('POST', '/account/deactivate', { erase: false }, person.mxid)
              .then(() => undefined),
        });
      }
      return items;
    },
  };
}
