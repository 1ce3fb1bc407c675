/**
 * queue-compare (report only): graphile-worker 0.17 (the orchestrator's queue) against pg-boss 10
 * on the same throw-away PostgreSQL, with no-op jobs. Throughput: enqueue N, then drain them with
 * the same concurrency; then recovery: PostgreSQL is stopped and started again under the running
 * workers, more jobs are added (through fresh connections) and each library's existing workers
 * have 30 s to process them, with no manual action.
 *
 * pg-boss 10 polls (no LISTEN/NOTIFY): a worker fetches up to `batchSize` jobs, runs them, then
 * waits out the rest of its polling interval (0.5 s at least) before it fetches again. With the
 * same concurrency as graphile-worker (C workers, one job each) it is bound by that interval,
 * so its batched configuration (C workers × BENCH_QUEUE_PGBOSS_BATCH jobs) is measured too.
 */
import { startEmbeddedPostgres, type EmbeddedPostgres } from '@afenda/db';
import { Logger, makeWorkerUtils, run as runWorker } from 'graphile-worker';
import path from 'node:path';
import pg from 'pg';
import PgBoss from 'pg-boss';
import { scope } from './lib/cleanup.ts';
import { startBenchPostgres } from './lib/postgres.ts';
import { positiveInt } from './lib/settings.ts';
import { round } from './lib/stats.ts';
import type { BenchResult, Goal } from './lib/types.ts';

export const name = 'queue-compare';
export const goal: Goal = { description: 'report (both batched)' };

const TASK = 'bench-noop';
const RECOVERY_S = 30;

/** graphile-worker logs every job at info: that would be measured too. */
const quiet = new Logger(() => () => undefined);
const say = (line: string) => console.log(`bench: queue-compare: ${line}`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A pool that survives a database restart: lost connections are dropped, never thrown. */
function resilientPool(url: string, max: number, errors: { count: number }): pg.Pool {
  const pool = new pg.Pool({ connectionString: url, max });
  const lost = () => void (errors.count += 1);
  pool.on('error', lost);
  pool.on('connect', (client) => client.on('error', lost));
  return pool;
}

/** Polls `remaining()` until it is 0 or `limitS` passed; how long it took and how many are left. */
async function until(
  remaining: () => Promise<number>,
  limitS: number,
): Promise<{ seconds: number; left: number }> {
  const started = performance.now();
  let left = await remaining().catch(() => Number.NaN);
  while (!(left === 0) && performance.now() - started < limitS * 1000) {
    await sleep(100);
    left = await remaining().catch(() => Number.NaN);
  }
  return { seconds: (performance.now() - started) / 1000, left };
}

async function count(admin: pg.Pool, sql: string, values: unknown[] = []): Promise<number> {
  const { rows } = await admin.query<{ n: string }>(sql, values);
  return Number(rows[0]?.n ?? 0);
}

const graphileLeft = (admin: pg.Pool) =>
  count(admin, 'select count(*) as n from graphile_worker._private_jobs');
const bossLeft = (admin: pg.Pool) =>
  count(
    admin,
    `select count(*) as n from pgboss.job where name = $1 and state in ('created', 'retry', 'active')`,
    [TASK],
  );
const bossDone = (admin: pg.Pool) =>
  count(admin, `select count(*) as n from pgboss.job where name = $1 and state = 'completed'`, [
    TASK,
  ]);

async function graphileEnqueue(url: string, jobs: number): Promise<number> {
  const errors = { count: 0 };
  const pool = resilientPool(url, 2, errors);
  const utils = await makeWorkerUtils({ pgPool: pool, logger: quiet });
  const started = performance.now();
  try {
    for (let i = 0; i < jobs; i += 1000) {
      const n = Math.min(1000, jobs - i);
      await utils.addJobs(
        Array.from({ length: n }, (_, k) => ({ identifier: TASK, payload: { i: i + k } })),
      );
    }
    return jobs / ((performance.now() - started) / 1000);
  } finally {
    await utils.release();
    await pool.end();
  }
}

async function bossEnqueue(url: string, jobs: number): Promise<number> {
  const boss = new PgBoss({ connectionString: url, max: 2, supervise: false, schedule: false });
  boss.on('error', () => undefined);
  await boss.start();
  await boss.createQueue(TASK);
  const started = performance.now();
  try {
    for (let i = 0; i < jobs; i += 1000) {
      const n = Math.min(1000, jobs - i);
      await boss.insert(Array.from({ length: n }, (_, k) => ({ name: TASK, data: { i: i + k } })));
    }
    return jobs / ((performance.now() - started) / 1000);
  } finally {
    await boss.stop({ graceful: false, wait: true });
  }
}

interface Drain {
  jobs: number;
  jobsPerSecond: number;
  seconds: number;
  enqueuePerSecond: number;
  /** Jobs not done when the time limit ran out (0: drained). */
  left: number;
}

export function run(): Promise<BenchResult> {
  return scope(async (defer) => {
    const jobs = positiveInt('BENCH_QUEUE_JOBS', 20_000);
    const concurrency = positiveInt('BENCH_QUEUE_CONCURRENCY', 4);
    const bossBatch = positiveInt('BENCH_QUEUE_PGBOSS_BATCH', 100);
    const limitS = positiveInt('BENCH_QUEUE_MAX_S', 60);
    const embedded = await startBenchPostgres(defer);
    // The server after the restart; stopped before the libraries are (defers run in reverse).
    const restarted: { server?: EmbeddedPostgres } = {};
    defer('stop the restarted PostgreSQL', () => restarted.server?.stop());
    // Both libraries as the superuser: pg-boss creates its own schema on start.
    const url = embedded.adminUrl;
    const admin = resilientPool(url, 1, { count: 0 });
    defer('close the admin pool', () => admin.end());

    // graphile-worker: LISTEN/NOTIFY, a 2 s poll as backstop, `concurrency` jobs at once; first
    // one job per fetch and one completion per job (its defaults), then batched as jobs/queue.ts
    // runs it (localQueue of 50, completions batched).
    const graphileErrors = { count: 0 };
    let stopRunner = async () => undefined as void;
    const graphileDrain = async (preset?: GraphileConfig.WorkerOptions): Promise<Drain> => {
      const enqueuePerSecond = await graphileEnqueue(url, jobs);
      const pool = resilientPool(url, concurrency + 3, graphileErrors);
      defer('close a graphile-worker pool', () => pool.end());
      const started = performance.now();
      const runner = await runWorker({
        pgPool: pool,
        concurrency,
        pollInterval: 2000,
        noHandleSignals: true,
        logger: quiet,
        taskList: { [TASK]: async () => undefined },
        ...(preset ? { preset: { worker: preset } } : {}),
      });
      // Stopped before its pool is closed (defers run in reverse).
      defer('stop a graphile-worker runner', () => runner.stop().catch(() => undefined));
      runner.events.on('pool:listen:error', () => void (graphileErrors.count += 1));
      stopRunner = () => runner.stop();
      const { left } = await until(() => graphileLeft(admin), limitS);
      const seconds = (performance.now() - started) / 1000;
      return {
        jobs,
        jobsPerSecond: round((jobs - left) / seconds, 1),
        seconds: round(seconds, 2),
        enqueuePerSecond: round(enqueuePerSecond, 1),
        left,
      };
    };
    say(`graphile-worker, ${jobs} jobs, ${concurrency} at once`);
    const graphile = await graphileDrain();
    say(
      `graphile-worker: ${graphile.jobsPerSecond} jobs/s; now with localQueue and batched completion`,
    );
    await stopRunner();
    const graphileBatched = await graphileDrain({
      localQueue: { size: Math.max(concurrency, 50) },
      completeJobBatchDelay: 0,
    });

    // pg-boss: `concurrency` workers; one job per fetch (the same concurrency), then batched.
    const bossErrors = { count: 0 };
    const boss = new PgBoss({
      connectionString: url,
      max: concurrency + 3,
      supervise: false,
      schedule: false,
    });
    boss.on('error', () => void (bossErrors.count += 1));
    await boss.start();
    defer('stop pg-boss', () => boss.stop({ graceful: false, wait: true }).catch(() => undefined));
    const bossDrain = async (batchSize: number, limit: number): Promise<Drain> => {
      await admin.query('delete from pgboss.job where name = $1', [TASK]);
      const enqueuePerSecond = await bossEnqueue(url, jobs);
      const started = performance.now();
      for (let w = 0; w < concurrency; w += 1) {
        await boss.work(TASK, { batchSize, pollingIntervalSeconds: 0.5 }, async () => undefined);
      }
      const { left } = await until(() => bossLeft(admin), limit);
      const seconds = (performance.now() - started) / 1000;
      const done = await bossDone(admin);
      return {
        jobs,
        jobsPerSecond: round(done / seconds, 1),
        seconds: round(seconds, 2),
        enqueuePerSecond: round(enqueuePerSecond, 1),
        left,
      };
    };
    say(
      `graphile-worker batched: ${graphileBatched.jobsPerSecond} jobs/s; pg-boss, one job per fetch`,
    );
    // Bound by the polling interval (C jobs per 0.5 s): 10 s tell the rate.
    const bossSingle = await bossDrain(1, Math.min(limitS, 10));
    say(`pg-boss: ${bossSingle.jobsPerSecond} jobs/s; now in batches of ${bossBatch}`);
    await boss.offWork(TASK);
    const bossBatched = await bossDrain(bossBatch, limitS);

    // Recovery: graphile-worker (batched runner) and pg-boss (batched workers) keep running
    // while PostgreSQL stops and starts again on the same port; then more jobs arrive.
    say(
      `pg-boss batched: ${bossBatched.jobsPerSecond} jobs/s; restarting PostgreSQL under the workers`,
    );
    const recoveryJobs = 200;
    await admin.query('delete from pgboss.job where name = $1', [TASK]);
    await embedded.stop();
    await sleep(2000);
    restarted.server = await startEmbeddedPostgres({
      dir: path.dirname(embedded.dataDir),
      port: embedded.port,
    });
    await graphileEnqueue(url, recoveryJobs);
    await bossEnqueue(url, recoveryJobs);
    const recoveryStarted = performance.now();
    const [graphileRecovery, bossRecovery] = await Promise.all([
      until(() => graphileLeft(admin), RECOVERY_S),
      until(() => bossLeft(admin), RECOVERY_S),
    ]);
    const recovered = (r: { seconds: number; left: number }) => ({
      recovered: r.left === 0,
      seconds: r.left === 0 ? round(r.seconds, 2) : undefined,
      left: r.left,
    });
    const recovery = {
      jobs: recoveryJobs,
      limitS: RECOVERY_S,
      graphileWorker: { ...recovered(graphileRecovery), connectionErrors: graphileErrors.count },
      pgBoss: { ...recovered(bossRecovery), errorEvents: bossErrors.count },
      waitedS: round((performance.now() - recoveryStarted) / 1000, 1),
    };
    const said = (r: ReturnType<typeof recovered>) =>
      r.recovered
        ? `all ${recoveryJobs} in ${r.seconds} s`
        : `${r.left} of ${recoveryJobs} left after ${RECOVERY_S} s`;

    return {
      figure: graphileBatched.jobsPerSecond,
      baseline: bossBatched.jobsPerSecond,
      unit: 'jobs/s',
      details: {
        summary:
          `${jobs} no-op jobs, ${concurrency} at once: graphile-worker ${graphile.jobsPerSecond}/s (batched ${graphileBatched.jobsPerSecond}/s), ` +
          `pg-boss ${bossSingle.jobsPerSecond}/s one per fetch, ${bossBatched.jobsPerSecond}/s in batches of ${bossBatch}; ` +
          `after a PostgreSQL restart: graphile-worker ${said(recovery.graphileWorker)}, pg-boss ${said(recovery.pgBoss)}`,
        jobs,
        concurrency,
        versions: { graphileWorker: '0.17.3', pgBoss: '10' },
        graphileWorker: { default: graphile, batched: graphileBatched },
        pgBoss: { onePerFetch: bossSingle, batched: { ...bossBatched, batchSize: bossBatch } },
        recovery,
      },
      extra: [
        {
          key: 'same-concurrency',
          goal: { description: 'report (both one job per fetch)' },
          figure: graphile.jobsPerSecond,
          baseline: bossSingle.jobsPerSecond,
          unit: 'jobs/s',
        },
        {
          key: 'recovery',
          goal: { description: `report (s to process ${recoveryJobs} after a restart)` },
          figure: recovery.graphileWorker.seconds ?? Number.NaN,
          baseline: recovery.pgBoss.seconds ?? Number.NaN,
          unit: 's',
          summary: `after a PostgreSQL restart: graphile-worker ${said(recovery.graphileWorker)}, pg-boss ${said(recovery.pgBoss)} (no manual action)`,
        },
      ],
    };
  });
}
