import type { RoomJoin } from '@afenda/contracts';
import { schema, type Database } from '@afenda/db';
import { and, eq, isNull, sql } from 'drizzle-orm';
import { AppError } from '@afenda/platform/errors';
import type { Actor } from '@afenda/platform/context';
import type { JitsiSigner } from './jitsi-token.ts';
import { P, participation, R, recordRoomEvent, roomNotFound, roomState } from './rooms.ts';

export const jitsiNotConfigured = () =>
  new AppError(
    'JITSI_NOT_CONFIGURED',
    503,
    'Video rooms are not available: the orchestrator has no JITSI_URL (and JITSI_APP_ID, JITSI_APP_SECRET) set',
  );

/**
 * GET /rooms/:id/join: the caller's token for the room, to its participants only (anyone else,
 * owners included, gets the same 404 as for a room that doesn't exist). An ended or expired
 * room answers 410 and issues nothing. The first join of each participant goes on the timeline.
 */
export async function joinRoom(
  database: Database,
  actor: Actor,
  id: string,
  signer: JitsiSigner | null,
): Promise<RoomJoin> {
  return database.withTenant(
    actor.tenantId,
    async (tx) => {
      const [row] = await tx
        .select()
        .from(R)
        .where(and(eq(R.tenantId, actor.tenantId), eq(R.id, id)));
      const self = row ? await participation(tx, actor, id) : undefined;
      if (!row || !self) throw roomNotFound();
      const state = roomState(row);
      if (state !== 'open') {
        throw new AppError(
          state === 'ended' ? 'ROOM_ENDED' : 'ROOM_EXPIRED',
          410,
          state === 'ended' ? 'This room has been ended' : 'This room has expired',
          { state, expiresAt: row.expiresAt.toISOString() },
        );
      }
      if (!signer) throw jitsiNotConfigured();
      const [user] = await tx
        .select({
          name: schema.users.displayName,
          username: schema.users.username,
          email: schema.users.email,
        })
        .from(schema.users)
        .where(eq(schema.users.id, actor.userId));
      const { token, expiresAt } = await signer.sign({
        roomName: row.roomName,
        roomExpiresAt: row.expiresAt,
        tenantId: actor.tenantId,
        user: {
          id: actor.userId,
          name: user?.name || user?.username || 'Participant',
          email: user?.email ?? null,
        },
        moderator: self.moderator,
      });
      const first = await tx
        .update(P)
        .set({ firstJoinedAt: sql`now()` })
        .where(
          and(
            eq(P.tenantId, actor.tenantId),
            eq(P.roomId, id),
            eq(P.userId, actor.userId),
            isNull(P.firstJoinedAt),
          ),
        )
        .returning({ userId: P.userId });
      if (first.length > 0) {
        await recordRoomEvent(
          tx,
          row,
          {
            verb: 'joined',
            actorId: actor.userId,
            title: `${user?.name || 'A participant'} joined the consultation room`,
          },
          { moderator: self.moderator },
        );
      }
      return {
        url: `${signer.url}/${row.roomName}?jwt=${token}`,
        token,
        roomName: row.roomName,
        jitsiUrl: signer.url,
        domain: signer.domain,
        expiresAt: row.expiresAt.toISOString(),
        tokenExpiresAt: expiresAt.toISOString(),
        moderator: self.moderator,
        topic: row.topic,
      };
    },
    actor.userId,
  );
}
