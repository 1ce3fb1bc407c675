/**
 * retention-purge: the retention job (apps/orchestrator/src/domain/retention/purge.ts) over a
 * large webhook_deliveries table while webhooks keep arriving. Writers must not wait behind the
 * purge: the same closed loop of durable single-row inserts (bench/lib/webhook-insert.ts, the
 * app's own write) runs once on its own and once while the purge clears bodies and deletes
 * rows, both in this run on the same embedded server. Figure: the inserts' p99 during the purge;
 * baseline: their p99 without it (goal ≤ 3×: sharing two cores costs something, blocking would
 * cost seconds). Also reported: rows purged per second and insert throughput with / without.
 *
 * BENCH_RETENTION_ROWS (default 1,000,000) old rows are loaded first.
 */
import { schema } from '@afenda/db';
import { purgeExpired } from '@afenda/orchestrator/domain/retention/purge';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { scope } from './lib/cleanup.ts';
import { closedLoop, p50p99 } from './lib/closed-loop.ts';
import { openAppDatabase, startBenchPostgres } from './lib/postgres.ts';
import { positiveInt, readSettings } from './lib/settings.ts';
import { round } from './lib/stats.ts';
import type { BenchResult, Goal } from './lib/types.ts';
import { insertWebhook } from './lib/webhook-insert.ts';

export const name = 'retention-purge';
export const goal: Goal = {
  ratio: 3,
  lowerIsBetter: true,
  description: 'insert p99 during the purge ≤ 3× without',
};

export function run(): Promise<BenchResult> {
  return scope(async (defer) => {
    const settings = readSettings();
    const rows = positiveInt('BENCH_RETENTION_ROWS', 1_000_000);
    const embedded = await startBenchPostgres(defer);
    const database = openAppDatabase(embedded, settings.clients + 1, defer);
    const [tenant] = await database.transaction({ sync: true }, (tx) =>
      tx
        .insert(schema.tenants)
        .values({ kind: 'organization', slug: 'bench', name: 'Bench' })
        .returning(),
    );
    if (!tenant) throw new Error('could not create the bench tenant');
    const admin = new pg.Client({ connectionString: embedded.adminUrl });
    admin.on('error', () => undefined); // the server stopping at the end is expected
    await admin.connect();
    defer('admin connection', () => admin.end());

    // Old processed deliveries, ~0.5 kB bodies, half of them old enough to be deleted and all
    // old enough to lose their bodies: both of the purge's webhook steps have work.
    const loadStarted = performance.now();
    await admin.query(
      `insert into webhook_deliveries (source, delivery_id, tenant_id, event_type, verified, body,
         status, received_at, processed_at)
       select 'chatwoot', 'old-' || g, $1, 'message_created', true, repeat('x', 500), 'processed',
         now() - make_interval(days => case when g % 2 = 0 then 120 else 30 end),
         now() - make_interval(days => case when g % 2 = 0 then 120 else 30 end)
       from generate_series(1, $2::int) g`,
      [tenant.id, rows],
    );
    await admin.query('vacuum analyze webhook_deliveries');
    const loadS = (performance.now() - loadStarted) / 1000;

    const insert = () => insertWebhook(database, tenant.id, `new-${randomUUID()}`);
    const { clients, durationS, warmupS } = settings;
    await closedLoop(database.pool, clients, warmupS, insert);
    const alone = await closedLoop(database.pool, clients, durationS, insert);

    // The purge starts with the measured loop and runs to its end (the loop keeps going until
    // the purge is done, so every insert it counts overlapped the purge).
    let purgeDone = false;
    const purgeStarted = performance.now();
    const purge = purgeExpired(database, {
      webhookBodyDays: 14,
      webhookRowDays: 90,
      outboundDays: 90,
      maxBatches: 1_000_000,
    }).finally(() => (purgeDone = true));
    const during = { operations: 0, latencies: [] as number[], seconds: 0 };
    while (!purgeDone) {
      const loop = await closedLoop(undefined, clients, 1, insert);
      during.operations += loop.operations;
      during.latencies.push(...loop.latencies);
      during.seconds += loop.seconds;
    }
    const counts = await purge;
    const purgeS = (performance.now() - purgeStarted) / 1000;
    const purged = counts.webhook_bodies + counts.webhook_deliveries;
    const expected = rows + rows / 2;
    if (Math.abs(purged - expected) > 1)
      throw new Error(`the purge touched ${purged} rows, expected ${expected}`);

    const aloneP = p50p99(alone.latencies);
    const duringP = p50p99(during.latencies);
    const aloneRate = round(alone.operations / alone.seconds, 1);
    const duringRate = round(during.operations / during.seconds, 1);
    const maxDuring = round(Math.max(...during.latencies), 1);
    return {
      figure: duringP.p99,
      baseline: aloneP.p99,
      unit: 'ms p99',
      details: {
        summary:
          `${rows.toLocaleString('en')} old rows (loaded in ${round(loadS, 1)} s): purge ${round(purgeS, 1)} s, ` +
          `${Math.round(purged / purgeS).toLocaleString('en')} rows/s (bodies ${counts.webhook_bodies}, rows ${counts.webhook_deliveries}); ` +
          `inserts ${duringRate}/s during vs ${aloneRate}/s without, p50 ${duringP.p50} vs ${aloneP.p50} ms, ` +
          `slowest insert during the purge ${maxDuring} ms`,
        rows,
        clients,
        purgeS: round(purgeS, 2),
        counts,
        inserts: {
          alone: { perSecond: aloneRate, ...aloneP },
          during: { perSecond: duringRate, ...duringP, maxMs: maxDuring },
        },
      },
      extra: [
        {
          key: 'throughput',
          goal: { ratio: 0.5, description: 'inserts/s during the purge ≥ 0.5× without' },
          figure: duringRate,
          baseline: aloneRate,
          unit: 'rows/s',
        },
      ],
    };
  });
}
