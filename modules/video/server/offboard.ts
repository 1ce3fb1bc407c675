/**
 * Offboarding: people the directory no longer lets into a tenant (removed, or disabled in
 * Keycloak) leave its open consultation rooms, so no new meeting token is issued to them
 * (joining needs participation) and the room's list no longer shows them. Jitsi itself ends
 * their call when their token expires (JITSI_TOKEN_TTL_S); docs/video.md.
 */
import { schema, type Database } from '@afenda/db';
import { recordActivity } from '@afenda/platform/activity/record-activity';
import { sql } from 'drizzle-orm';
import { roomParticipants, rooms } from './schema.ts';

export async function removeOffboardedParticipants(database: Database): Promise<number> {
  const tenants = await database.transaction({}, async (tx) => {
    await tx.execute(sql`select set_config('app.job', 'rooms.offboard', true)`);
    return tx.selectDistinct({ tenantId: rooms.tenantId }).from(rooms);
  });
  let removed = 0;
  for (const { tenantId } of tenants) {
    removed += await database.withTenant(tenantId, async (tx) => {
      const gone = await tx.execute<{ room_id: string; user_id: string; topic: string }>(sql`
        delete from ${roomParticipants} rp
         using ${rooms} r
         where r.tenant_id = rp.tenant_id and r.id = rp.room_id and r.status = 'open'
           and rp.tenant_id = ${tenantId}
           and not exists (
             select 1 from ${schema.userTenants} ut
               join ${schema.users} u on u.id = ut.user_id
              where ut.tenant_id = rp.tenant_id and ut.user_id = rp.user_id and u.enabled)
        returning rp.room_id, rp.user_id, r.topic`);
      for (const row of gone.rows)
        await recordActivity(tx, {
          tenantId,
          actorId: null,
          source: 'keycloak',
          subjectType: 'room',
          subjectId: row.room_id,
          verb: 'access-revoked',
          title: `Removed from the consultation room${row.topic ? ` "${row.topic}"` : ''}: no longer has access (Keycloak)`,
          data: { userId: row.user_id },
        });
      return gone.rows.length;
    });
  }
  return removed;
}
