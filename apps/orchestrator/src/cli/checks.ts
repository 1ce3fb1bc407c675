/**
 * `afenda status` (is the deployment well: the database, its schema, the work waiting in both
 * directions, the queue, the last sync of each source) and `afenda ledger verify <tenant>`.
 */
import { migrationStatus, schema } from '@afenda/db';
import { verifyLedger } from '@afenda/platform/approvals/verify-ledger';
import { eq, sql } from 'drizzle-orm';
import { CliError, explain, openDatabase, table, type Io } from './kit.ts';
import type { Parsed } from './args.ts';

export async function ledgerCommand(args: Parsed, io: Io): Promise<number> {
  const [sub, target] = args.positionals;
  if (sub !== 'verify' || !target)
    throw new CliError('usage: ledger verify <tenant id or organisation slug>');
  const { database } = await openDatabase(1);
  try {
    const isId = /^[0-9a-f-]{36}$/i.test(target);
    const [tenant] = await database.transaction({ sync: true }, (tx) =>
      tx
        .select({ id: schema.tenants.id, slug: schema.tenants.slug })
        .from(schema.tenants)
        .where(isId ? eq(schema.tenants.id, target) : eq(schema.tenants.slug, target)),
    );
    if (!tenant) throw new CliError(`no tenant "${target}" (an id, or a slug like acme)`);
    const result = await verifyLedger(database, tenant.id);
    if (args.values.json)
      io.out(JSON.stringify({ tenant: tenant.slug, tenantId: tenant.id, ...result }));
    else if (result.valid) io.out(`${tenant.slug}: the ledger is intact`);
    else io.out(`${tenant.slug}: the ledger is BROKEN: ${JSON.stringify(result.firstBroken)}`);
    // 2: the chain is broken (a finding, not a failure to check).
    return result.valid ? 0 : 2;
  } finally {
    await database.close();
  }
}

type Count = {
  status: string;
  n: number;
};

export async function statusCommand(args: Parsed, io: Io): Promise<number> {
  const started = performance.now();
  const { database } = await openDatabase(2);
  try {
    const pingMs = Math.round(performance.now() - started);
    const migrations = await migrationStatus(database.pool).catch((err: unknown) => ({
      error: explain(err),
    }));
    const counts = (table_: 'webhook_deliveries' | 'outbound_actions') =>
      database.transaction({ service: 'jobs' }, async (tx) =>
        (
          await tx.execute<Count>(
            sql`select status, count(*)::int as n from ${sql.identifier(table_)} group by status order by status`,
          )
        ).rows.map((r) => ({ status: r.status, n: r.n })),
      );
    const deliveries = await counts('webhook_deliveries');
    const outbound = await counts('outbound_actions');
    const queue = await database.pool
      .query<{ n: number; oldest: Date | null; locked: number }>(
        `select count(*)::int as n, min(run_at) as oldest,
                count(*) filter (where locked_at is not null)::int as locked
           from graphile_worker.jobs`,
      )
      .then((r) => r.rows[0]!)
      .catch(() => null);
    const syncs = await database.transaction({ sync: true }, async (tx) =>
      (
        await tx.execute<{
          source: string;
          last_success: Date | null;
          last_status: string;
          last_error: string | null;
        }>(sql`
          select source,
                 max(finished_at) filter (where status = 'succeeded') as last_success,
                 (array_agg(status order by started_at desc))[1] as last_status,
                 (array_agg(error order by started_at desc))[1] as last_error
            from sync_runs group by source order by source`)
      ).rows.map((r) => ({
        source: r.source,
        lastSuccess: r.last_success ? new Date(r.last_success).toISOString() : null,
        lastStatus: r.last_status,
        lastError: r.last_error,
      })),
    );
    const dead = (rows: Count[]) => rows.find((r) => r.status === 'dead')?.n ?? 0;
    const report = {
      database: { ok: true, pingMs },
      migrations,
      deliveries,
      outbound,
      queue: queue
        ? {
            jobs: queue.n,
            running: queue.locked,
            oldestRunAt: queue.oldest ? new Date(queue.oldest).toISOString() : null,
          }
        : null,
      syncs,
    };
    const pending = 'pending' in migrations ? migrations.pending.length : 0;
    if (args.values.json) io.out(JSON.stringify(report, null, 2));
    else {
      io.out(`database      answers in ${pingMs} ms`);
      io.out(
        'error' in migrations
          ? `schema        unknown (${migrations.error})`
          : `schema        ${migrations.applied} migrations applied, ${pending} pending${pending ? `: ${migrations.pending.join(', ')} (npm run afenda -- migrate)` : ''}`,
      );
      const line = (rows: Count[]) => rows.map((r) => `${r.n} ${r.status}`).join(', ') || 'none';
      io.out(`webhooks      ${line(deliveries)}`);
      io.out(`outbound      ${line(outbound)}`);
      io.out(
        report.queue
          ? `queue         ${report.queue.jobs} jobs (${report.queue.running} running)${report.queue.oldestRunAt ? `, oldest due ${report.queue.oldestRunAt}` : ''}`
          : 'queue         not readable (has the orchestrator started once?)',
      );
      io.out('');
      for (const l of table(syncs, [
        { label: 'SYNC', value: (r) => r.source },
        { label: 'LAST SUCCESS', value: (r) => r.lastSuccess },
        { label: 'LAST RUN', value: (r) => r.lastStatus },
        { label: 'ERROR', value: (r) => r.lastError },
      ]))
        io.out(l);
    }
    // Exit 1 when something needs an operator: dead letters, or migrations not applied.
    const attention = dead(deliveries) + dead(outbound) + pending;
    if (attention && !args.values.json)
      io.err(
        `needs attention: ${dead(deliveries)} dead webhook deliveries, ${dead(outbound)} dead outbound actions, ${pending} pending migrations`,
      );
    return attention ? 1 : 0;
  } finally {
    await database.close();
  }
}
