import type { Room } from '@afenda/contracts';
import { schema, type Tx } from '@afenda/db';
import { and, eq, inArray, sql } from 'drizzle-orm';
import { randomBytes } from 'node:crypto';
import { P, R, recordRoomEvent, withParticipants } from './rooms.ts';

/** 160 random bits, lower-case base32 (Jitsi compares room names lower-cased): 32 characters. */
export function newRoomName(): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz234567';
  const bytes = randomBytes(20);
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += alphabet[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  return out;
}

export interface OpenRoomInput {
  tenantId: string;
  /** Who opened it: the caller, or the approval's decider. */
  actorId: string;
  /** The requester, or whom the request names; always a participant. */
  moderatorId: string;
  participantIds: string[];
  topic: string;
  durationMinutes: number;
  /** Set when an approval opens the room: at most one room per approval. */
  approval?: { id: string; requestedBy: string };
}

/** The given users that are members of the tenant now (the directory view inside it). */
export async function tenantMembers(
  tx: Tx,
  tenantId: string,
  userIds: string[],
): Promise<Set<string>> {
  if (userIds.length === 0) return new Set();
  const rows = await tx
    .select({ userId: schema.userTenants.userId })
    .from(schema.userTenants)
    .innerJoin(schema.users, eq(schema.users.id, schema.userTenants.userId))
    .where(
      and(
        eq(schema.userTenants.tenantId, tenantId),
        inArray(schema.userTenants.userId, userIds),
        eq(schema.users.enabled, true),
      ),
    );
  return new Set(rows.map((r) => r.userId));
}

/**
 * Inserts the room, its participants and the room.created entry in the caller's transaction.
 * Participants must already be checked to be members. Returns null when the approval already
 * opened its room (the unique (tenant_id, approval_id) index): a retried effect opens nothing.
 */
export async function openRoom(
  tx: Tx,
  input: OpenRoomInput,
  extra: Record<string, unknown> = {},
): Promise<Room | null> {
  const participants = [...new Set([input.moderatorId, ...input.participantIds])];
  const [row] = await tx
    .insert(R)
    .values({
      tenantId: input.tenantId,
      approvalId: input.approval?.id ?? null,
      roomName: newRoomName(),
      topic: input.topic,
      createdBy: input.actorId,
      moderatorId: input.moderatorId,
      expiresAt: sql`now() + make_interval(mins => ${input.durationMinutes})`,
    })
    .onConflictDoNothing({
      target: [R.tenantId, R.approvalId],
      where: sql`approval_id is not null`,
    })
    .returning();
  if (!row) return null;
  await tx.insert(P).values(
    participants.map((userId) => ({
      tenantId: input.tenantId,
      roomId: row.id,
      userId,
      moderator: userId === input.moderatorId,
    })),
  );
  await recordRoomEvent(
    tx,
    row,
    {
      verb: 'created',
      actorId: input.actorId,
      title: 'Consultation room opened',
      description: input.approval ? 'Opened by an approved consultation request.' : '',
    },
    {
      moderatorId: input.moderatorId,
      participants,
      expiresAt: row.expiresAt.toISOString(),
      approvalId: input.approval?.id ?? null,
      ...extra,
    },
  );
  const [room] = await withParticipants(tx, input.tenantId, [row]);
  return room!;
}
