import type { Database } from '@afenda/db';
import { defineJob } from '@afenda/platform/jobs/job';
import { sql, type SQL } from 'drizzle-orm';
import type { Logger } from 'pino';
import { z } from 'zod';

/** How long what only grows is kept (settings RETENTION_*, docs/operations.md). */
export interface RetentionPolicy {
  /** Bodies of processed or ignored webhook deliveries are cleared this many days after. */
  webhookBodyDays: number;
  /** Finished webhook deliveries (processed, ignored, unmapped) are deleted this many days after they arrived. */
  webhookRowDays: number;
  /** Done outbound actions are deleted this many days after they were done. */
  outboundDays: number;
  /** Rows per statement (each its own short transaction). */
  batchSize?: number;
  /** Statements per step and run: a run stops there and the next tick goes on. */
  maxBatches?: number;
}

/** What one run removed: rows per step. */
export type PurgeCounts = Record<PurgeStep, number>;
export type PurgeStep =
  | 'idempotency_keys'
  | 'shell_sessions'
  | 'webhook_bodies'
  | 'webhook_deliveries'
  | 'outbound_actions';

const days = (n: number) => sql`now() - make_interval(days => ${n})`;

/**
 * Each step: one statement over at most `batch` rows picked by an index (ctid = any(array(...)):
 * no sort over the table, no long lock), repeated until a statement finds fewer. Each statement
 * is its own transaction, so writers never wait behind a purge for longer than one batch's row
 * locks, and the rows it takes are old ones nobody writes. Migration 0016 holds the same limits
 * in row-level security: in the 'retention' context nothing live can be deleted.
 */
function steps(policy: RetentionPolicy): [PurgeStep, (batch: number) => SQL][] {
  return [
    [
      'idempotency_keys',
      (batch) => sql`
        delete from idempotency_keys where ctid = any(array(
          select ctid from idempotency_keys where expires_at < now() limit ${batch}))`,
    ],
    [
      'shell_sessions',
      (batch) => sql`
        delete from shell_sessions where ctid = any(array(
          select ctid from shell_sessions where expires_at < now() limit ${batch}))`,
    ],
    [
      // The row stays (its delivery id and replay key keep deduplicating); the bytes go. A
      // delivery without its body can no longer be replayed: docs/webhooks.md says so.
      'webhook_bodies',
      (batch) => sql`
        update webhook_deliveries set body = '', body_kept = false, updated_at = now()
        where ctid = any(array(
          select ctid from webhook_deliveries
          where body_kept and status in ('processed', 'ignored')
            and processed_at < ${days(policy.webhookBodyDays)}
          limit ${batch}))`,
    ],
    [
      'webhook_deliveries',
      (batch) => sql`
        delete from webhook_deliveries where ctid = any(array(
          select ctid from webhook_deliveries
          where received_at < ${days(policy.webhookRowDays)}
            and status in ('processed', 'ignored', 'unmapped')
          limit ${batch}))`,
    ],
    [
      'outbound_actions',
      (batch) => sql`
        delete from outbound_actions where ctid = any(array(
          select ctid from outbound_actions
          where status = 'done' and done_at < ${days(policy.outboundDays)}
          limit ${batch}))`,
    ],
  ];
}

/** One purge run over every table that only grows (the stream log has its own job: stream.expire). */
export async function purgeExpired(
  database: Database,
  policy: RetentionPolicy,
): Promise<PurgeCounts> {
  const batch = policy.batchSize ?? 5_000;
  const maxBatches = policy.maxBatches ?? 200;
  const counts = {} as PurgeCounts;
  for (const [step, statement] of steps(policy)) {
    let total = 0;
    for (let i = 0; i < maxBatches; i++) {
      const { rowCount } = await database.transaction({ service: 'retention' }, (tx) =>
        tx.execute(statement(batch)),
      );
      total += rowCount ?? 0;
      if ((rowCount ?? 0) < batch) break;
    }
    counts[step] = total;
  }
  return counts;
}

/** The periodic job: one replica purges each tick. */
export const retentionJob = (options: {
  database: Database;
  policy: RetentionPolicy;
  schedule: string;
  logger: Logger;
}) =>
  defineJob({
    id: 'retention.purge',
    description:
      'Purges expired idempotency keys and sessions, old webhook bodies and rows, done outbound actions',
    payload: z.object({}).loose(),
    schedule: options.schedule,
    handler: async () => {
      const started = performance.now();
      const counts = await purgeExpired(options.database, options.policy);
      options.logger.info(
        { counts, ms: Math.round(performance.now() - started) },
        'retention: purged what expired',
      );
    },
  });
