/**
 * durable-insert: single-row, durably committed inserts into webhook_deliveries through the
 * orchestrator's data layer (`createDatabase(...).withTenant(...)`: one transaction per row,
 * set_config for row-level security, drizzle insert, commit with synchronous_commit on), against
 * pgbench doing the same transaction with the same number of clients, on the same embedded server,
 * as the same unprivileged role, into the same table with RLS on.
 */
import { schema, type Database } from '@afenda/db';
import { randomUUID } from 'node:crypto';
import { scope } from './lib/cleanup.ts';
import { closedLoop, p50p99 } from './lib/closed-loop.ts';
import { preparePgbench, runPgbench, type Run } from './lib/pgbench.ts';
import { openAppDatabase, startBenchPostgres } from './lib/postgres.ts';
import { readSettings } from './lib/settings.ts';
import { round } from './lib/stats.ts';
import type { BenchResult, Goal } from './lib/types.ts';
import {
  countWebhookDeliveries,
  insertWebhook,
  measureInserts,
  pgbenchWebhookInsert,
  resetWebhookDeliveries,
} from './lib/webhook-insert.ts';

export const name = 'durable-insert';
export const goal: Goal = { ratio: 0.5, description: '≥ 0.5× pgbench' };

const pct = (v: number | undefined) => (v === undefined ? '?' : `${Math.round(v * 100)}%`);

async function runOurs(
  database: Database,
  tenantId: string,
  clients: number,
  durationS: number,
): Promise<Run> {
  const loop = await closedLoop(database.pool, clients, durationS, () =>
    insertWebhook(database, tenantId, `ours-${randomUUID()}`),
  );
  const average = loop.latencies.reduce((a, b) => a + b, 0) / Math.max(1, loop.operations);
  return {
    rowsPerSecond: round(loop.operations / loop.seconds, 1),
    rows: loop.operations,
    latencyMs: { average: round(average, 3), ...p50p99(loop.latencies) },
    clientCpuMsPerRow: round((loop.cpuSeconds * 1000) / Math.max(1, loop.operations), 4),
    clientCpuCores: round(loop.cpuSeconds / loop.seconds),
    ...(loop.machineCpuBusy !== undefined ? { machineCpuBusy: loop.machineCpuBusy } : {}),
  };
}

export function run(): Promise<BenchResult> {
  return scope(async (defer) => {
    const settings = readSettings();
    const pgbench = await preparePgbench(defer);
    const embedded = await startBenchPostgres(defer);

    const database = openAppDatabase(embedded, settings.clients, defer);
    const [tenant] = await database.transaction({ sync: true }, (tx) =>
      tx
        .insert(schema.tenants)
        .values({ kind: 'organization', slug: 'bench', name: 'Bench' })
        .returning(),
    );
    if (!tenant) throw new Error('could not create the bench tenant');
    const { clients, durationS, warmupS } = settings;

    const transaction = await pgbenchWebhookInsert(database, tenant.id);

    // Warm-up on both sides (JIT, WAL segments, caches), then an empty table for each measured run.
    await runPgbench(pgbench, embedded, transaction, clients, warmupS);
    await runOurs(database, tenant.id, clients, warmupS);

    const measured = await measureInserts(pgbench, embedded, transaction, clients, durationS);
    const { output, ...baseline } = measured;

    await resetWebhookDeliveries(embedded.adminUrl);
    const ours = await runOurs(database, tenant.id, clients, durationS);
    const oursRowsInTable = await countWebhookDeliveries(embedded.adminUrl, 'ours-');

    if (oursRowsInTable !== ours.rows) {
      throw new Error(
        `row counts do not match: ours counted ${ours.rows}, table has ${oursRowsInTable}`,
      );
    }
    return {
      figure: ours.rowsPerSecond,
      baseline: baseline.rowsPerSecond,
      unit: 'rows/s',
      details: {
        summary:
          `latency p50/p99 ${ours.latencyMs.p50}/${ours.latencyMs.p99} ms vs pgbench ${baseline.latencyMs.p50 ?? '?'}/${baseline.latencyMs.p99 ?? '?'} ms; ` +
          `client CPU ${ours.clientCpuMsPerRow} ms/row (${ours.clientCpuCores} cores) vs pgbench ${baseline.clientCpuMsPerRow ?? '?'} ms/row (${baseline.clientCpuCores ?? '?'} cores); ` +
          `machine busy ${pct(ours.machineCpuBusy)} vs ${pct(baseline.machineCpuBusy)}`,
        clients,
        durationS,
        warmupS,
        ours,
        pgbench: {
          ...baseline,
          binary: pgbench.binary,
          version: pgbench.version,
          script: transaction.script.trim().split('\n'),
          summary: output.split('\n'),
        },
      },
    };
  });
}
