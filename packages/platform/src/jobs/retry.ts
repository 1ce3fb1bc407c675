import type { Database } from '@afenda/db';
import { sql } from 'drizzle-orm';
import { backoffMs, type JobQueue, type JobSpec } from './queue.ts';

export interface RetryPolicy {
  maxAttempts: number;
  baseMs: number;
  maxMs: number;
}

/** Tables of tracked work: each has status, attempts, last_error, next_attempt_at, updated_at. */
export type TrackedTable = 'webhook_deliveries' | 'outbound_actions';

/**
 * What went wrong, as an operator reads it: the database's own error (with its SQLSTATE) rather
 * than the query-builder's wrapper, which repeats the whole statement and its parameters (that
 * is, customer text) and cuts the cause off.
 */
export function describeError(err: unknown): string {
  let e: unknown = err;
  while (e instanceof Error && /^Failed query:/.test(e.message) && e.cause) e = e.cause;
  if (!(e instanceof Error)) return String(e);
  const code = (e as { code?: unknown }).code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)
    ? `${e.message} (${code})`
    : e.message;
}

/**
 * One failed attempt: counted, its error kept; then either dead (after maxAttempts) or failed
 * and queued again after a jittered exponential backoff. In the jobs context: the failure of any
 * tenant's work is recorded by the worker that met it.
 */
export async function recordFailure(
  deps: { database: Database; queue: JobQueue; retry: RetryPolicy },
  table: TrackedTable,
  id: string,
  err: unknown,
  retry: JobSpec,
): Promise<'failed' | 'dead'> {
  const message = describeError(err).slice(0, 2000);
  const delayMs = (attempts: number) => backoffMs(attempts, deps.retry.baseMs, deps.retry.maxMs);
  const status = await deps.database.transaction({ service: 'jobs' }, async (tx) => {
    const result = await tx.execute<{ status: 'failed' | 'dead'; attempts: number }>(sql`
      update ${sql.identifier(table)}
         set attempts = attempts + 1,
             last_error = ${message},
             status = case when attempts + 1 >= ${deps.retry.maxAttempts} then 'dead' else 'failed' end,
             updated_at = now()
       where id = ${id}
       returning status, attempts`);
    const row = result.rows[0];
    if (!row || row.status === 'dead') return row?.status ?? 'dead';
    const runAt = new Date(Date.now() + delayMs(row.attempts));
    await tx.execute(
      sql`update ${sql.identifier(table)} set next_attempt_at = ${runAt.toISOString()}::timestamptz where id = ${id}`,
    );
    retry.runAt = runAt;
    return row.status;
  });
  if (status === 'failed') await deps.queue.add([retry]);
  return status;
}

/**
 * Queues again work that is due and still unfinished long after it was due: jobs that died
 * with a process (SIGKILL, a database restart mid-job) or never reached the queue.
 */
export async function sweepTable(
  deps: { database: Database; queue: JobQueue },
  table: TrackedTable,
  dueStatuses: string[],
  recoveryAfterS: number,
  toJob: (row: { id: string; tenant_id: string | null }) => JobSpec,
): Promise<number> {
  const rows = await deps.database.transaction({ service: 'jobs' }, async (tx) => {
    const result = await tx.execute<{ id: string; tenant_id: string | null }>(sql`
      update ${sql.identifier(table)} set next_attempt_at = now()
       where id in (
         select id from ${sql.identifier(table)}
          where status in (${sql.join(
            dueStatuses.map((s) => sql`${s}`),
            sql`, `,
          )})
            and next_attempt_at < now() - make_interval(secs => ${recoveryAfterS})
          order by next_attempt_at limit 1000
          for update skip locked)
      returning id, tenant_id`);
    return result.rows;
  });
  await deps.queue.add(rows.map(toJob));
  return rows.length;
}

/**
 * Replay: work in one of `from` (dead, failed, …) back to `to`, attempts reset, queued now;
 * the given ids or all, of one tenant or (jobs context) of every one. Returns what was queued.
 */
export async function replayTable(
  deps: { database: Database; queue: JobQueue },
  table: TrackedTable,
  options: { from: string[]; to: string; ids?: string[]; tenantId?: string },
  toJob: (row: { id: string; tenant_id: string | null }) => JobSpec,
): Promise<string[]> {
  const rows = await deps.database.transaction({ service: 'jobs' }, async (tx) => {
    const result = await tx.execute<{ id: string; tenant_id: string | null }>(sql`
      update ${sql.identifier(table)}
         set status = ${options.to}, attempts = 0, last_error = null,
             next_attempt_at = now(), updated_at = now()
       where status in (${sql.join(
         options.from.map((s) => sql`${s}`),
         sql`, `,
       )})
         ${
           options.ids
             ? sql`and id in (${sql.join(
                 options.ids.map((id) => sql`${id}::uuid`),
                 sql`, `,
               )})`
             : sql``
         }
         ${options.tenantId ? sql`and tenant_id = ${options.tenantId}::uuid` : sql``}
      returning id, tenant_id`);
    return result.rows;
  });
  await deps.queue.add(rows.map(toJob));
  return rows.map((r) => r.id);
}
