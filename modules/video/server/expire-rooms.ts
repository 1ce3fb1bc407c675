import type { Database } from '@afenda/db';
import { and, asc, eq, inArray, lte, sql } from 'drizzle-orm';
import type { Logger } from 'pino';
import { defineJob, type JobDefinition } from '@afenda/platform/jobs/job';
import { z } from 'zod';
import { R, recordRoomEvent } from './rooms.ts';

/** One key for every orchestrator: whoever holds it sweeps; the others skip this round. */
const SWEEP_LOCK = sql`hashtextextended('afenda.rooms.expire', 0)`;

export interface SweepResult {
  /** False when another instance held the lock: this one did nothing. */
  ran: boolean;
  expired: number;
}

/**
 * Marks open rooms past their expiry as expired, each with its room.expired entry, under a
 * transaction-level advisory lock (released when the finding transaction ends, so nothing is
 * held across pooled connections). The due rooms are found through the one cross-tenant policy
 * (app.job = 'rooms.expire', select only); each tenant's are then expired in a transaction of
 * that tenant.
 */
export async function expireDueRooms(database: Database, batch = 500): Promise<SweepResult> {
  return database.transaction({}, async (tx) => {
    const lock = await tx.execute<{ ran: boolean }>(
      sql`select pg_try_advisory_xact_lock(${SWEEP_LOCK}) as ran, set_config('app.job', 'rooms.expire', true)`,
    );
    if (!lock.rows[0]?.ran) return { ran: false, expired: 0 };
    const due = await tx
      .select({ tenantId: R.tenantId, id: R.id })
      .from(R)
      .where(and(eq(R.status, 'open'), lte(R.expiresAt, sql`now()`)))
      .orderBy(asc(R.expiresAt))
      .limit(batch);
    await tx.execute(sql`select set_config('app.job', '', true)`);
    const byTenant = new Map<string, string[]>();
    for (const r of due) byTenant.set(r.tenantId, [...(byTenant.get(r.tenantId) ?? []), r.id]);
    let expired = 0;
    // Each tenant's rooms in a transaction of its own, in that tenant (its timeline and stream
    // entries are written under that tenant's policies); the lock stays held meanwhile.
    for (const [tenantId, ids] of byTenant) {
      expired += await database.withTenant(tenantId, async (ttx) => {
        const rows = await ttx
          .update(R)
          .set({ status: 'expired', endedAt: R.expiresAt })
          .where(
            and(
              eq(R.tenantId, tenantId),
              inArray(R.id, ids),
              eq(R.status, 'open'),
              lte(R.expiresAt, sql`now()`),
            ),
          )
          .returning();
        for (const row of rows) {
          await recordRoomEvent(
            ttx,
            row,
            { verb: 'expired', actorId: null, title: 'Consultation room expired' },
            { expiresAt: row.expiresAt.toISOString() },
          );
        }
        return rows.length;
      });
    }
    return { ran: true, expired };
  });
}

/** The periodic job: one replica expires the due rooms each tick. */
export function expireRoomsJob(options: {
  database: Database;
  logger: Logger;
  schedule: string;
}): JobDefinition<Record<string, unknown>> {
  return defineJob({
    id: 'video.expire-rooms',
    description: 'Marks open consultation rooms past their expiry as expired',
    payload: z.object({}).loose(),
    schedule: options.schedule,
    handler: async () => {
      const r = await expireDueRooms(options.database);
      if (r.expired > 0) options.logger.info({ expired: r.expired }, 'rooms expired');
    },
  });
}
