/**
 * How the product's Matrix rooms are set up: the role → power level mapping (docs/permissions.md)
 * and the createRoom bodies. Managed rooms are room version 12, created by the orchestrator's
 * bot: as the creator it has unlimited power (MSC4289) and is never listed, so it can always set
 * things back; everyone else is below every membership and state threshold, so Synapse itself
 * refuses a local invite, kick, ban, power-level or room-settings change ("prevent").
 */
import type { PowerLevels } from './client.ts';

export type Role = 'owner' | 'admin' | 'member' | 'viewer';

/** Keycloak role (in the room's tenant) → Matrix power level. */
export const ROLE_POWER: Record<Role, number> = {
  owner: 50,
  admin: 50,
  member: 0,
  viewer: -1,
};

/** Only the creator (the bot, unlimited) reaches these. */
export const BOT_ONLY = 100;
export const ROOM_VERSION = '12';

const LOCKED_STATE = [
  'm.room.power_levels',
  'm.room.name',
  'm.room.topic',
  'm.room.avatar',
  'm.room.canonical_alias',
  'm.room.history_visibility',
  'm.room.join_rules',
  'm.room.guest_access',
  'm.room.encryption',
  'm.room.server_acl',
  'm.room.tombstone',
  'm.space.child',
  'm.space.parent',
];

/** The complete m.room.power_levels content of a managed room for these members. */
export function powerLevelsFor(members: Map<string, Role>): PowerLevels {
  const users: Record<string, number> = {};
  for (const [userId, role] of [...members].sort(([a], [b]) => a.localeCompare(b))) {
    const level = ROLE_POWER[role];
    if (level !== 0) users[userId] = level;
  }
  return {
    users,
    users_default: 0,
    // Everyone at 0 may talk, react and redact their own messages; viewers (-1) only read.
    events_default: 0,
    state_default: BOT_ONLY,
    invite: BOT_ONLY,
    kick: BOT_ONLY,
    ban: BOT_ONLY,
    redact: 50,
    events: Object.fromEntries(LOCKED_STATE.map((t) => [t, BOT_ONLY])),
    notifications: { room: 50 },
  };
}

const KEYS: Array<keyof PowerLevels> = [
  'users_default',
  'events_default',
  'state_default',
  'invite',
  'kick',
  'ban',
  'redact',
];

/** What differs between the room's power levels and the mapping (empty when in step). */
export function powerLevelDrift(actual: PowerLevels | null, wanted: PowerLevels): string[] {
  if (!actual) return ['no power levels'];
  const out: string[] = [];
  const level = (v: unknown, fallback: number) => (typeof v === 'number' ? v : fallback);
  for (const k of KEYS) {
    if (level(actual[k], 0) !== level(wanted[k], 0)) out.push(`${k} ${actual[k]} → ${wanted[k]}`);
  }
  const users = new Set([...Object.keys(actual.users ?? {}), ...Object.keys(wanted.users ?? {})]);
  for (const u of [...users].sort()) {
    const a = level(actual.users?.[u], level(actual.users_default, 0));
    const w = level(wanted.users?.[u], 0);
    if (a !== w) out.push(`${u} ${a} → ${w}`);
  }
  for (const [t, w] of Object.entries(wanted.events ?? {})) {
    const a = level(actual.events?.[t], level(actual.state_default, 0));
    if (a !== w) out.push(`${t} ${a} → ${w}`);
  }
  return out;
}

/** createRoom for a managed room (a space when `space`): invite-only, not encrypted, v12. */
export function createRoomBody(input: {
  name: string;
  topic: string;
  space?: boolean;
  members: Map<string, Role>;
  initialState?: Array<{ type: string; state_key: string; content: unknown }>;
}): Record<string, unknown> {
  return {
    name: input.name,
    topic: input.topic,
    room_version: ROOM_VERSION,
    preset: 'private_chat',
    visibility: 'private',
    ...(input.space ? { creation_content: { type: 'm.space' } } : {}),
    power_level_content_override: powerLevelsFor(input.members),
    initial_state: [
      {
        type: 'm.room.history_visibility',
        state_key: '',
        content: { history_visibility: 'shared' },
      },
      { type: 'm.room.guest_access', state_key: '', content: { guest_access: 'forbidden' } },
      ...(input.initialState ?? []),
    ],
  };
}

/** The bot's direct room with one person: they may talk; only the bot changes anything else. */
export function directRoomBody(userId: string, name: string): Record<string, unknown> {
  return {
    ...createRoomBody({
      name,
      topic: 'Approvals and notices from the workspace',
      members: new Map(),
    }),
    is_direct: true,
    invite: [userId],
  };
}
