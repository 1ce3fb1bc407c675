/**
 * webhook-ingest: signed Chatwoot deliveries through the real orchestrator (server.ts in a child
 * process, POST /api/v1/webhooks/chatwoot: verified, stored durably, answered 202), against
 * pgbench inserting the same row into webhook_deliveries with as many clients as we have HTTP
 * connections, on the same embedded server. Then the queue: with the stored deliveries waiting, a
 * second orchestrator with the workers on processes them all; its rate against the ingest rate.
 *
 * Three rows: the ingest rate (≥ 0.5× pgbench's), its p99 acknowledgement latency (≤ 3× pgbench's
 * p99 per transaction) and the drain rate (≥ 1.5× the ingest rate).
 */
import { freePort, type EmbeddedPostgres } from '@afenda/db';
import { demoChatwootFile, type DemoChatwoot } from '@afenda/module-inbox/server/demo/integrations';
import { demoConversation } from '@afenda/module-inbox/server/demo/payloads';
import { chatwootFixture, signChatwootDelivery } from '@afenda/test-utils/chatwoot';
import autocannon from 'autocannon';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { ChildServer } from './lib/child.ts';
import { scope } from './lib/cleanup.ts';
import { orchestratorEnv } from './lib/orchestrator-env.ts';
import { startOrchestrator } from './lib/orchestrator.ts';
import { preparePgbench, runPgbench } from './lib/pgbench.ts';
import { openAppDatabase, postmasterPid, startBenchPostgres } from './lib/postgres.ts';
import { positiveInt, readSettings } from './lib/settings.ts';
import { processTreeCpuSeconds, round, watchCpu } from './lib/stats.ts';
import type { BenchResult, Goal } from './lib/types.ts';
import {
  measureInserts,
  pgbenchWebhookInsert,
  resetWebhookDeliveries,
} from './lib/webhook-insert.ts';

export const name = 'webhook-ingest';
export const goal: Goal = { ratio: 0.5, description: '≥ 0.5× pgbench' };

const ROUTE = '/api/v1/webhooks/chatwoot';
/** Chatwoot account 1 is Acme's in the demo seed (demo-integrations.ts). */
const ACCOUNT = 1;

type Json = Record<string, unknown>;

/**
 * Signed message_created deliveries for Acme, each with a fresh delivery id, a fresh message id
 * and the current timestamp, spread over `conversations` conversations (as Chatwoot's would be).
 */
function deliveries(secret: string, conversations: number) {
  const bases: Json[] = [];
  for (let c = 0; c < conversations; c += 1) {
    const [, message] = demoConversation(
      {
        accountId: ACCOUNT,
        accountName: 'acme',
        displayId: 10_000 + c,
        contactName: `Bench Customer ${c}`,
        message: 'Hello, could you confirm the delivery window for order 12345? Thanks!',
        labels: [],
      },
      (file) => chatwootFixture(file),
    );
    bases.push(message as Json);
  }
  const run = randomBytes(4).toString('hex');
  let n = 0;
  return () => {
    n += 1;
    const base = bases[n % bases.length] as Json;
    const messageId = 1_000_000 + n;
    const conversation = base.conversation as Json;
    const messages = conversation.messages as Json[];
    const payload = {
      ...base,
      id: messageId,
      conversation: { ...conversation, messages: [{ ...messages[0], id: messageId }] },
    };
    return signChatwootDelivery({ secret, payload, deliveryId: `bench-${run}-${n}` });
  };
}

interface IngestPhase {
  requestsPerSecond: number;
  requests: number;
  latencyMs: { p50: number; p99: number; average: number };
  serverCpuMsPerRequest?: number;
  postgresCpuMsPerRequest?: number;
  loadGeneratorCpuCores: number;
  machineCpuBusy?: number;
}

async function ingest(
  server: ChildServer,
  embedded: EmbeddedPostgres,
  next: () => { headers: Record<string, string>; body: string },
  connections: number,
  durationS: number,
  label: string,
): Promise<IngestPhase> {
  const pgPid = postmasterPid(embedded);
  const pgBefore = pgPid ? processTreeCpuSeconds(pgPid) : undefined;
  const cpu = watchCpu([server.pid]);
  const selfBefore = process.cpuUsage();
  const result = await autocannon({
    url: `http://127.0.0.1:${server.port}`,
    connections,
    duration: durationS,
    requests: [
      {
        method: 'POST',
        path: ROUTE,
        // Signed afresh for every request: a unique X-Chatwoot-Delivery, the current timestamp.
        setupRequest: (request) => {
          const d = next();
          return { ...request, headers: d.headers, body: d.body };
        },
      },
    ],
  });
  const self = process.cpuUsage(selfBefore);
  const serverCpu = cpu.processSeconds(server.pid);
  const pgAfter = pgPid ? processTreeCpuSeconds(pgPid) : undefined;
  const machineCpuBusy = cpu.machineBusy();
  const accepted = result.statusCodeStats?.['202']?.count ?? 0;
  if (result.errors > 0 || result.timeouts > 0 || accepted !== result.requests.total) {
    throw new Error(
      `${label}: ${result.errors} errors, ${result.timeouts} timeouts, ${result.requests.total - accepted} answers other than 202 (status counts ${JSON.stringify(result.statusCodeStats ?? {})}); the figure would not be comparable`,
    );
  }
  const requests = result.requests.total;
  const perRequest = (seconds: number | undefined) =>
    seconds === undefined ? undefined : round((seconds * 1000) / Math.max(1, requests), 4);
  return {
    requestsPerSecond: round(requests / result.duration, 1),
    requests,
    latencyMs: {
      p50: result.latency.p50,
      p99: result.latency.p99,
      average: round(result.latency.average),
    },
    ...(serverCpu !== undefined ? { serverCpuMsPerRequest: perRequest(serverCpu) } : {}),
    ...(pgBefore !== undefined && pgAfter !== undefined
      ? { postgresCpuMsPerRequest: perRequest(pgAfter - pgBefore) }
      : {}),
    loadGeneratorCpuCores: round((self.user + self.system) / 1e6 / result.duration),
    ...(machineCpuBusy !== undefined ? { machineCpuBusy } : {}),
  };
}

async function adminQuery<T extends pg.QueryResultRow>(
  adminUrl: string,
  text: string,
  values: unknown[] = [],
): Promise<T[]> {
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    return (await admin.query<T>(text, values)).rows;
  } finally {
    await admin.end();
  }
}

/** Waits until deliveries stop arriving and each stored one has its job in the queue. */
async function settled(adminUrl: string): Promise<void> {
  const deadline = performance.now() + 30_000;
  let last = -1;
  for (;;) {
    const [row] = await adminQuery<{ stored: string; jobs: string }>(
      adminUrl,
      `select (select count(*) from webhook_deliveries) as stored,
              (select count(*) from graphile_worker._private_jobs) as jobs`,
    );
    const stored = Number(row?.stored);
    if (stored === last && stored === Number(row?.jobs)) return;
    if (performance.now() > deadline) {
      throw new Error(`ingest: ${row?.stored} deliveries stored, ${row?.jobs} jobs queued`);
    }
    last = stored;
    await new Promise((r) => setTimeout(r, 250));
  }
}

interface DrainState {
  pending: number;
  processed: number;
  other: number;
  first: Date | null;
  last: Date | null;
}

/** Where the deliveries stand, through one long-lived admin connection (polled while draining). */
async function drainState(admin: pg.Client): Promise<DrainState> {
  const {
    rows: [row],
  } = await admin.query<{
    pending: string;
    processed: string;
    other: string;
    first: Date | null;
    last: Date | null;
  }>(
    `select count(*) filter (where status in ('received', 'failed')) as pending,
            count(*) filter (where status = 'processed') as processed,
            count(*) filter (where status not in ('received', 'failed', 'processed')) as other,
            min(processed_at) as first, max(processed_at) as last
       from webhook_deliveries`,
  );
  return {
    pending: Number(row?.pending ?? 0),
    processed: Number(row?.processed ?? 0),
    other: Number(row?.other ?? 0),
    first: row?.first ?? null,
    last: row?.last ?? null,
  };
}

export function run(): Promise<BenchResult> {
  return scope(async (defer) => {
    const settings = readSettings();
    const { connections, durationS, warmupS } = settings;
    const conversations = positiveInt('BENCH_INGEST_CONVERSATIONS', 500);
    const pgbench = await preparePgbench(defer);
    const embedded = await startBenchPostgres(defer);
    const dataDir = await mkdtemp(path.join(tmpdir(), 'afenda-bench-data-'));
    defer(`remove ${dataDir}`, () => rm(dataDir, { recursive: true, force: true }));

    // NODE_ENV=development: the demo seed (SEED_DEMO_DATA, which maps Chatwoot account 1 to
    // Acme) is refused in production. Logging is silent; nothing else differs on this route.
    const common = {
      NODE_ENV: 'development',
      HOST: '127.0.0.1',
      DATABASE_URL: embedded.appUrl,
      SETTINGS_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      DATA_DIR: dataDir,
      SEED_DEMO_DATA: 'true',
      LOG_LEVEL: 'silent',
      // Rate limiting stays on, its budget made unreachable (as in http-noop).
      RATE_LIMIT_WEBHOOKS: '1000000',
      RATE_LIMIT_WINDOW_MS: '1000',
      KEYCLOAK_SYNC_SCHEDULE: 'off',
    };
    // Ingest phase: the workers off, so only ingestion is measured (the jobs are still queued,
    // as the route always does, for the drain phase to run).
    const ingestEnv = orchestratorEnv({
      ...common,
      PORT: String(await freePort()),
      JOBS_ENABLED: 'false',
    });
    const ingester = await startOrchestrator(ingestEnv.env, Number(ingestEnv.env.PORT), '/api/v1');
    defer('stop the ingesting orchestrator', () => ingester.stop());

    const demo = JSON.parse(await readFile(demoChatwootFile(dataDir), 'utf8')) as DemoChatwoot;
    const secret = demo.accounts.find((a) => a.accountId === ACCOUNT)?.secret;
    if (!secret) throw new Error(`the demo seed mapped no Chatwoot account ${ACCOUNT}`);
    const next = deliveries(secret, conversations);
    const [acme] = await adminQuery<{ id: string }>(
      embedded.adminUrl,
      `select id from tenants where slug = 'acme'`,
    );
    if (!acme) throw new Error('the demo seed created no Acme');

    // pgbench's transaction: the webhook insert of lib/webhook-insert.ts, with our body.
    const sample = next();
    const database = openAppDatabase(embedded, 1, defer);
    const transaction = await pgbenchWebhookInsert(database, acme.id, sample.body);

    // Warm-up on both sides, then each measured run from an empty table after a checkpoint.
    await runPgbench(pgbench, embedded, transaction, connections, warmupS);
    await ingest(ingester, embedded, next, connections, warmupS, 'ingest warm-up');
    const { output, ...baseline } = await measureInserts(
      pgbench,
      embedded,
      transaction,
      connections,
      durationS,
    );
    await resetWebhookDeliveries(embedded.adminUrl);
    // The warm-up's jobs go too: the drain phase then has exactly the measured deliveries.
    await adminQuery(embedded.adminUrl, 'truncate graphile_worker._private_jobs');
    const ours = await ingest(ingester, embedded, next, connections, durationS, 'ingest');

    // autocannon closes its sockets with requests in flight; the server still stores those. Wait
    // until every stored delivery has its job (the dispatcher hands them over within ms), then
    // stop the ingester. (Stopped earlier, a handler that outlives its socket stores its row after
    // the queue has closed; the sweeper queues it JOB_RECOVERY_AFTER_S later, which would be
    // measured here as a slow drain.)
    await settled(embedded.adminUrl);
    await ingester.stop();
    const admin = new pg.Client({ connectionString: embedded.adminUrl });
    await admin.connect();
    defer('close the admin connection', () => admin.end());
    const stored = await drainState(admin);
    const [jobs] = await adminQuery<{ n: string }>(
      embedded.adminUrl,
      'select count(*) as n from graphile_worker._private_jobs',
    );
    // autocannon stops with up to one request per connection in flight: those are stored too,
    // unacknowledged (and not counted in the ingest rate). The drain processes all that is stored.
    if (stored.pending < ours.requests || stored.pending > ours.requests + connections) {
      throw new Error(
        `${ours.requests} deliveries acknowledged, ${stored.pending} stored to process`,
      );
    }
    const n = stored.pending;

    // Drain phase: a second orchestrator with the workers on (JOB_* at their defaults unless
    // BENCH_APP_* says otherwise), until every stored delivery is processed.
    const drainEnv = orchestratorEnv({
      ...common,
      PORT: String(await freePort()),
      JOBS_ENABLED: 'true',
    });
    const spawned = performance.now();
    const drainer = await startOrchestrator(drainEnv.env, Number(drainEnv.env.PORT), '/api/v1');
    defer('stop the draining orchestrator', () => drainer.stop());
    // CPU is counted from here (start-up excluded) over the deliveries processed from here on.
    const pgPid = postmasterPid(embedded);
    const pgBefore = pgPid ? processTreeCpuSeconds(pgPid) : undefined;
    const cpu = watchCpu([drainer.pid]);
    const limitS = Math.max(120, (6 * n) / Math.max(1, ours.requestsPerSecond));
    let state = await drainState(admin);
    const processedAtReady = state.processed;
    while (state.pending > 0) {
      if ((performance.now() - spawned) / 1000 > limitS) {
        throw new Error(
          `drain: ${state.pending} of ${n} deliveries still unprocessed after ${Math.round(limitS)} s`,
        );
      }
      await new Promise((r) => setTimeout(r, 200));
      state = await drainState(admin);
    }
    const wallS = (performance.now() - spawned) / 1000;
    const drainerCpu = cpu.processSeconds(drainer.pid);
    const pgAfter = pgPid ? processTreeCpuSeconds(pgPid) : undefined;
    const machineCpuBusy = cpu.machineBusy();
    if (state.processed !== n || !state.first || !state.last) {
      throw new Error(
        `drain: ${state.processed} processed of ${n} (${state.other} ignored, unmapped or dead)`,
      );
    }
    // Effects, counted: one mirrored message per delivery (each carries its own message id).
    const [effects] = await adminQuery<{ messages: string; conversations: string }>(
      embedded.adminUrl,
      `select (select count(*) from conversation_messages) as messages,
              (select count(*) from conversations) as conversations`,
    );
    if (Number(effects?.messages) !== n) {
      throw new Error(`drain: ${effects?.messages} messages mirrored for ${n} deliveries`);
    }
    // The rate between the first and the last delivery processed (the database's own clock of
    // each commit), so the second process's start-up is not counted.
    const spanS = Math.max(0.001, (state.last.getTime() - state.first.getTime()) / 1000);
    const drainRate = round((n - 1) / spanS, 1);
    const perDelivery = (seconds: number | undefined) =>
      seconds === undefined
        ? undefined
        : round((seconds * 1000) / Math.max(1, n - processedAtReady), 4);
    const drain = {
      deliveries: n,
      deliveriesPerSecond: drainRate,
      spanS: round(spanS, 2),
      wallSecondsFromSpawn: round(wallS, 2),
      processedBeforeReady: processedAtReady,
      jobsQueued: Number(jobs?.n ?? 0),
      conversations: Number(effects?.conversations ?? 0),
      orchestratorCpuMsPerDelivery: perDelivery(drainerCpu),
      postgresCpuMsPerDelivery:
        pgBefore !== undefined && pgAfter !== undefined
          ? perDelivery(pgAfter - pgBefore)
          : undefined,
      ...(machineCpuBusy !== undefined ? { machineCpuBusy } : {}),
      serverSettings: drainEnv.settings,
    };

    const p99Summary = `p50 ${ours.latencyMs.p50} ms vs pgbench ${baseline.latencyMs.p50 ?? '?'} ms per transaction`;
    return {
      figure: ours.requestsPerSecond,
      baseline: baseline.rowsPerSecond,
      unit: 'deliveries/s',
      baselineUnit: 'rows/s',
      details: {
        summary:
          `${connections} connections / pgbench clients; ack p50/p99 ${ours.latencyMs.p50}/${ours.latencyMs.p99} ms vs pgbench ${baseline.latencyMs.p50 ?? '?'}/${baseline.latencyMs.p99 ?? '?'} ms; ` +
          `CPU per delivery: orchestrator ${ours.serverCpuMsPerRequest ?? '?'} ms, PostgreSQL ${ours.postgresCpuMsPerRequest ?? '?'} ms`,
        connections,
        durationS,
        warmupS,
        conversations,
        bodyBytes: Buffer.byteLength(sample.body),
        ingest: { ...ours, serverSettings: ingestEnv.settings },
        drain,
        pgbench: {
          ...baseline,
          binary: pgbench.binary,
          version: pgbench.version,
          script: transaction.script.trim().split('\n'),
          summary: output.split('\n'),
        },
      },
      extra: [
        {
          key: 'p99',
          goal: { ratio: 3, lowerIsBetter: true, description: '≤ 3× pgbench p99' },
          figure: ours.latencyMs.p99,
          baseline: baseline.latencyMs.p99 ?? Number.NaN,
          unit: 'ms p99',
          summary: p99Summary,
        },
        {
          key: 'drain',
          goal: { ratio: 1.5, description: '≥ 1.5× the ingest rate' },
          figure: drainRate,
          baseline: ours.requestsPerSecond,
          unit: 'deliveries/s',
          summary:
            `${n} deliveries over ${conversations} conversations in ${round(spanS, 1)} s (first to last processed; ${round(wallS, 1)} s from spawning the worker process); ` +
            `CPU per delivery: orchestrator ${drain.orchestratorCpuMsPerDelivery ?? '?'} ms, PostgreSQL ${drain.postgresCpuMsPerDelivery ?? '?'} ms`,
        },
      ],
    };
  });
}
