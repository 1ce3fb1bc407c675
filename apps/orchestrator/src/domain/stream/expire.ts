import type { Database } from '@afenda/db';
import { defineJob } from '@afenda/platform/jobs/job';
import { sql } from 'drizzle-orm';
import { z } from 'zod';

/**
 * Drops stream events older than the retention, in batches of 10,000 until caught up (at most
 * 100 batches a run). In the fan-out context: the one role allowed to delete from the log.
 */
export async function expireStreamEvents(database: Database, retentionS: number): Promise<number> {
  let total = 0;
  for (let batch = 0; batch < 100; batch++) {
    const { rowCount } = await database.transaction({ fanout: true }, (tx) =>
      tx.execute(sql`
        delete from stream_events where ctid = any(array(
          select ctid from stream_events
          where created_at < now() - make_interval(secs => ${retentionS})
          limit 10000))`),
    );
    total += rowCount ?? 0;
    if ((rowCount ?? 0) < 10_000) break;
  }
  return total;
}

/** The periodic job: one replica expires the log each tick. */
export const expireStreamJob = (options: {
  database: Database;
  retentionS: number;
  schedule: string;
}) =>
  defineJob({
    id: 'stream.expire',
    description: 'Drops live-stream events older than STREAM_RETENTION_S',
    payload: z.object({}).loose(),
    schedule: options.schedule,
    handler: async () => {
      await expireStreamEvents(options.database, options.retentionS);
    },
  });
