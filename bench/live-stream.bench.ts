/**
 * live-stream: the orchestrator's notifications and live stream (GET /api/v1/stream), three
 * figures from one setup, each beside a bare node:http SSE echo (servers/bare-sse.ts) or the
 * same app with the stream off, measured in the same run:
 *
 * - latency: an escalation submitted to process B (POST /api/v1/approvals/requests, submit)
 *   until the CEO's stream on process A has the notification (fan-out by LISTEN/NOTIFY), under
 *   a background load of Chatwoot webhook deliveries on B; against a POST /publish to the echo
 *   until its stream has the event, under the same load. p99, lower is better.
 * - memory: idle SSE connections held by one process (BENCH_STREAM_CONNECTIONS, 10,000), the
 *   growth of its resident memory per connection, against the echo holding as many.
 * - ingest: approvals created per second with the stream on against the same app with
 *   STREAM_ENABLED=false, CEO streams open on both.
 */
import { freePort } from '@afenda/db';
import { connectSse, type SseClient } from '@afenda/orchestrator/testing/sse';
import { chatwootFixture, signChatwootDelivery } from '@afenda/test-utils/chatwoot';
import { startTestIssuer } from '@afenda/test-utils/issuer';
import { demoConversation } from '@afenda/module-inbox/server/demo/payloads';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import autocannon from 'autocannon';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { scope, type Defer } from './lib/cleanup.ts';
import { startChildServer, type ChildServer } from './lib/child.ts';
import { orchestratorEnv } from './lib/orchestrator-env.ts';
import { startBenchPostgres } from './lib/postgres.ts';
import { positiveInt, readSettings } from './lib/settings.ts';
import { percentile, round, watchCpu } from './lib/stats.ts';
import type { BenchResult, Goal } from './lib/types.ts';

const SERVER_TS = fileURLToPath(import.meta.resolve('@afenda/orchestrator/server'));
const BARE_TS = fileURLToPath(new URL('./servers/bare-sse.ts', import.meta.url));
const REALM = fileURLToPath(new URL('../deploy/keycloak/realm-afenda.json', import.meta.url));

export const name = 'live-stream';
export const goal: Goal = {
  ratio: 2,
  lowerIsBetter: true,
  description: 'p99 ≤ 2× a bare SSE echo',
};

interface Ids {
  acme: string;
  adaSub: string;
  aliceSub: string;
}

const rssBytes = (pid: number): number => {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8')
    .split('\n')
    .find((l) => l.startsWith('VmRSS:'));
  return Number(/(\d+)/.exec(line ?? '')?.[1] ?? 0) * 1024;
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function startOrchestrator(
  defer: Defer,
  label: string,
  settings: Record<string, string>,
): Promise<ChildServer> {
  const port = await freePort();
  const { env } = orchestratorEnv({ ...settings, PORT: String(port) });
  const server = await startChildServer({
    script: SERVER_TS,
    cwd: path.dirname(path.dirname(SERVER_TS)),
    env,
    port,
    readyPath: '/readyz',
    timeoutMs: 120_000,
  });
  defer(`stop ${label}`, () => server.stop());
  return server;
}

/** Many SSE connections that only drain what they get (no parsing): idle clients. */
async function openIdle(url: string, headers: Record<string, string>, n: number) {
  const requests: http.ClientRequest[] = [];
  let failed = 0;
  const one = () =>
    new Promise<void>((resolve) => {
      const req = http.get(url, { headers, agent: false }, (res) => {
        if (res.statusCode !== 200) failed += 1;
        res.once('data', () => resolve());
        res.resume();
      });
      req.on('error', () => {
        failed += 1;
        resolve();
      });
      requests.push(req);
    });
  for (let i = 0; i < n; i += 100)
    await Promise.all(Array.from({ length: Math.min(100, n - i) }, one));
  return { failed, close: () => requests.forEach((r) => r.destroy()) };
}

/**
 * A closed loop of Chatwoot webhook deliveries in the background (signed as Chatwoot signs them,
 * built from the contract's fixtures): a conversation and a new customer message each time, over
 * 50 conversations of Acme's account. Answered 202 once stored; the job workers mirror them.
 */
function backgroundLoad(
  url: string,
  account: { accountId: number; secret: string },
  clients: number,
) {
  let stop = false;
  let sent = 0;
  let refused = 0;
  const workers = Array.from({ length: clients }, async () => {
    while (!stop) {
      const n = sent++;
      const payloads = demoConversation(
        {
          accountId: account.accountId,
          accountName: 'acme',
          displayId: 1000 + (n % 50),
          // Unique per round: the same signed body again within its second is a replay, answered
          // as a duplicate, once ingest does more than 50 rounds a second.
          contactName: `Load ${n}`,
          message: `Background message ${n}`,
          labels: [],
          messageId: 1_000_000 + n,
        },
        (name) => chatwootFixture(name),
      );
      for (const payload of payloads) {
        const { headers, body } = signChatwootDelivery({ secret: account.secret, payload });
        const res = await fetch(`${url}/api/v1/webhooks/chatwoot`, {
          method: 'POST',
          headers,
          body,
        }).catch(() => undefined);
        await res?.arrayBuffer();
        if (res?.status !== 202) refused += 1;
      }
    }
  });
  return {
    async stop() {
      stop = true;
      await Promise.all(workers);
      return { deliveries: sent * 2, refused };
    },
  };
}

export function run(): Promise<BenchResult> {
  return scope(async (defer) => {
    const settings = readSettings();
    const samples = positiveInt('BENCH_STREAM_SAMPLES', 400);
    const loadClients = positiveInt('BENCH_STREAM_LOAD_CLIENTS', 2);
    let connections = positiveInt('BENCH_STREAM_CONNECTIONS', 10_000);
    const embedded = await startBenchPostgres(defer);
    const issuer = await startTestIssuer();
    defer('stop the token issuer', () => issuer.close());

    const dataDir = await mkdtemp(path.join(tmpdir(), 'afenda-bench-data-'));
    defer(`remove ${dataDir}`, () => rm(dataDir, { recursive: true, force: true }));
    const common = {
      DATA_DIR: dataDir,
      NODE_ENV: 'development',
      HOST: '127.0.0.1',
      DATABASE_URL: embedded.appUrl,
      KEYCLOAK_ISSUER: issuer.issuer,
      KEYCLOAK_SYNC_SCHEDULE: 'off',
      REALM_EXPORT_FILE: REALM,
      SETTINGS_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      LOG_LEVEL: 'silent',
      RATE_LIMIT_READS: '1000000',
      RATE_LIMIT_WRITES: '1000000',
      RATE_LIMIT_WEBHOOKS: '1000000',
      RATE_LIMIT_WINDOW_MS: '1000',
      STREAM_MAX_CONNECTIONS: '1000000',
    };
    // A loads the demo directory at its start; the others find it there.
    const a = await startOrchestrator(defer, 'orchestrator A', {
      ...common,
      SEED_DEMO_DATA: 'true',
    });
    const b = await startOrchestrator(defer, 'orchestrator B', {
      ...common,
      SEED_DEMO_DATA: 'false',
    });
    const admin = new pg.Pool({ connectionString: embedded.adminUrl, max: 1 });
    defer('close the admin pool', () => admin.end());
    const q = async (text: string) => (await admin.query<{ v: string }>(text)).rows[0]!.v;
    const ids: Ids = {
      acme: await q(
        "select id::text as v from tenants where slug = 'acme' and kind = 'organization'",
      ),
      adaSub: await q("select keycloak_id as v from users where username = 'ada'"),
      aliceSub: await q("select keycloak_id as v from users where username = 'alice'"),
    };
    const tokenFor = async (sub: string) =>
      issuer.token({ sub, exp: Math.floor(Date.now() / 1000) + 3600 });
    const adaToken = await tokenFor(ids.adaSub);
    const aliceToken = await tokenFor(ids.aliceSub);
    const as = (token: string) => ({ authorization: `Bearer ${token}`, 'x-tenant-id': ids.acme });

    const bare = await startChildServer({
      script: BARE_TS,
      cwd: path.dirname(BARE_TS),
      env: { ...process.env },
      port: 'ipc',
    });
    defer('stop the bare SSE server', () => bare.stop());
    const bareUrl = `http://127.0.0.1:${bare.port}`;
    const urlOf = (s: ChildServer) => `http://127.0.0.1:${s.port}`;

    // --- latency ---------------------------------------------------------------------------
    const ceo = await connectSse(`${urlOf(a)}/api/v1/stream`, as(adaToken));
    const echo = await connectSse(`${bareUrl}/stream`, {});
    defer('close the measuring streams', () => {
      ceo.close();
      echo.close();
    });
    if (ceo.status !== 200 || echo.status !== 200)
      throw new Error(`streams: ${ceo.status} ${echo.status}`);
    const submit = (title: string) =>
      fetch(`${urlOf(b)}/api/v1/approvals/requests`, {
        method: 'POST',
        headers: { ...as(aliceToken), 'content-type': 'application/json' },
        body: JSON.stringify({ type: 'ceo_approval', title, source: 'chatwoot', submit: true }),
      }).then(async (r) => {
        const body = (await r.json()) as { data: { id: string } };
        if (r.status !== 201) throw new Error(`submit: ${r.status} ${JSON.stringify(body)}`);
        return body.data.id;
      });
    const submitMs: number[] = [];
    const afterWriteMs: number[] = [];
    const ours = async (i: number) => {
      const title = `Escalation ${i}`;
      const started = performance.now();
      const got = ceo.next(
        (e) => e.event === 'notification' && (e.data as { title: string }).title.endsWith(title),
        30_000,
      );
      await submit(title);
      const written = performance.now();
      submitMs.push(written - started);
      await got;
      afterWriteMs.push(performance.now() - written);
      return performance.now() - started;
    };
    const baseline = async (i: number) => {
      const started = performance.now();
      const got = echo.next((e) => (e.data as { n: number }).n === i, 30_000);
      const r = await fetch(`${bareUrl}/publish`, {
        method: 'POST',
        body: JSON.stringify({ n: i, title: `Escalation ${i}` }),
      });
      await r.arrayBuffer();
      await got;
      return performance.now() - started;
    };
    const trim = (c: SseClient) => c.events.splice(0, c.events.length);
    for (let i = 0; i < 20; i++) {
      await ours(-1 - i);
      await baseline(-1 - i);
    }
    const demo = JSON.parse(readFileSync(path.join(dataDir, 'demo-chatwoot.json'), 'utf8')) as {
      accounts: { org: string; accountId: number; secret: string }[];
    };
    const account = demo.accounts.find((x) => x.org === 'acme');
    if (!account) throw new Error('the demo seed mapped no Chatwoot account to Acme');
    const load = backgroundLoad(urlOf(b), account, loadClients);
    const cpu = watchCpu([a.pid, b.pid, bare.pid]);
    const oursMs: number[] = [];
    const echoMs: number[] = [];
    const loadStarted = performance.now();
    for (let i = 0; i < samples; i++) {
      oursMs.push(await ours(i));
      echoMs.push(await baseline(i));
      if (i % 50 === 0) {
        trim(ceo);
        trim(echo);
      }
    }
    const background = await load.stop();
    if (background.refused)
      throw new Error(`${background.refused} webhook deliveries were refused`);
    const loadSeconds = (performance.now() - loadStarted) / 1000;
    const latency = {
      samples,
      backgroundLoad: `${loadClients} clients posting Chatwoot webhook deliveries to B, closed loop: ${round(background.deliveries / loadSeconds, 1)} deliveries/s`,
      oursMs: {
        p50: round(percentile(oursMs, 50)),
        p99: round(percentile(oursMs, 99)),
        max: round(Math.max(...oursMs)),
      },
      // The submit's own response (the write, committed): the rest is the stream's delivery.
      submitResponseMs: {
        p50: round(percentile(submitMs.slice(20), 50)),
        p99: round(percentile(submitMs.slice(20), 99)),
      },
      // From the submit's response until the CEO has it (0 when the event came first).
      afterResponseMs: {
        p50: round(percentile(afterWriteMs.slice(20), 50)),
        p99: round(percentile(afterWriteMs.slice(20), 99)),
      },
      echoMs: {
        p50: round(percentile(echoMs, 50)),
        p99: round(percentile(echoMs, 99)),
        max: round(Math.max(...echoMs)),
      },
      machineCpuBusy: cpu.machineBusy(),
    };
    ceo.close();
    echo.close();

    // --- memory per idle connection ----------------------------------------------------------
    const limit = Number(
      /Max open files\s+(\d+)/.exec(readFileSync('/proc/self/limits', 'utf8'))?.[1] ?? 1024,
    );
    const fitted = Math.min(connections, limit - 500);
    const note =
      fitted < connections
        ? `ulimit -n is ${limit}: ${fitted} connections, not ${connections}`
        : undefined;
    connections = fitted;
    const holdIdle = async (server: ChildServer, url: string, headers: Record<string, string>) => {
      const warm = await openIdle(url, headers, 50);
      warm.close();
      await sleep(1500);
      const before = rssBytes(server.pid);
      const started = performance.now();
      const idle = await openIdle(url, headers, connections);
      const openSeconds = round((performance.now() - started) / 1000, 1);
      await sleep(3000);
      const after = rssBytes(server.pid);
      idle.close();
      await sleep(1500);
      return {
        connections,
        failed: idle.failed,
        openSeconds,
        rssBeforeMb: round(before / 2 ** 20, 1),
        rssAfterMb: round(after / 2 ** 20, 1),
        bytesPerConnection: Math.round((after - before) / connections),
      };
    };
    const memEcho = await holdIdle(bare, `${bareUrl}/stream`, {});
    const memOurs = await holdIdle(a, `${urlOf(a)}/api/v1/stream`, as(adaToken));
    if (memOurs.failed || memEcho.failed)
      throw new Error(`idle connections failed: ours ${memOurs.failed}, echo ${memEcho.failed}`);

    // --- ingest with the stream on and off ---------------------------------------------------
    // Two fresh processes, the same but for STREAM_ENABLED; the earlier ones stop.
    await a.stop();
    await b.stop();
    await bare.stop();
    const on = await startOrchestrator(defer, 'orchestrator, stream on', {
      ...common,
      SEED_DEMO_DATA: 'false',
    });
    const off = await startOrchestrator(defer, 'orchestrator, stream off', {
      ...common,
      SEED_DEMO_DATA: 'false',
      STREAM_ENABLED: 'false',
    });
    // The CEO's stream open on both (it idles on the one that is off).
    const listeners = [
      await openIdle(`${urlOf(on)}/api/v1/stream`, as(adaToken), 1),
      await openIdle(`${urlOf(off)}/api/v1/stream`, as(adaToken), 1),
    ];
    defer('close the listeners', () => listeners.forEach((l) => l.close()));
    const ingest = async (server: ChildServer, seconds: number) => {
      const result = await autocannon({
        url: `${urlOf(server)}/api/v1/approvals/requests`,
        method: 'POST',
        connections: settings.clients,
        duration: seconds,
        headers: { ...as(aliceToken), 'content-type': 'application/json' },
        body: JSON.stringify({ type: 'generic', title: 'Ingest', submit: true }),
      });
      if (result.non2xx || result.errors)
        throw new Error(`ingest: ${result.non2xx} non-2xx, ${result.errors} errors`);
      return result.requests.average;
    };
    await ingest(off, settings.warmupS);
    await ingest(on, settings.warmupS);
    const half = Math.max(1, Math.round(settings.durationS / 2));
    const offRates: number[] = [];
    const onRates: number[] = [];
    for (let round = 0; round < 3; round++) {
      offRates.push(await ingest(off, half));
      onRates.push(await ingest(on, half));
    }
    const mean = (v: number[]) => round(v.reduce((x, y) => x + y, 0) / v.length, 1);

    return {
      figure: latency.oursMs.p99,
      baseline: latency.echoMs.p99,
      unit: 'ms p99',
      details: {
        summary:
          `escalation → CEO (another process) p50/p99 ${latency.oursMs.p50}/${latency.oursMs.p99} ms vs echo ${latency.echoMs.p50}/${latency.echoMs.p99} ms; ` +
          `${connections} idle streams: ${memOurs.bytesPerConnection} vs ${memEcho.bytesPerConnection} B each; ` +
          `ingest on/off ${mean(onRates)}/${mean(offRates)} approvals/s`,
        latency,
        memory: { ours: memOurs, echo: memEcho, note },
        ingest: { on: onRates, off: offRates, clients: settings.clients, secondsEach: half },
      },
      extra: [
        {
          key: 'after-write',
          goal: { ratio: 2, lowerIsBetter: true, description: 'p99 ≤ 2× a bare SSE echo' },
          figure: latency.afterResponseMs.p99,
          baseline: latency.echoMs.p99,
          unit: 'ms p99',
          summary: `the stream's share: from the escalation's response (committed) until the CEO has it; the write itself p50/p99 ${latency.submitResponseMs.p50}/${latency.submitResponseMs.p99} ms`,
        },
        {
          key: 'memory',
          goal: {
            ratio: 2,
            lowerIsBetter: true,
            description: '≤ 2× a bare SSE server per connection',
          },
          figure: memOurs.bytesPerConnection,
          baseline: memEcho.bytesPerConnection,
          unit: 'B/conn',
          summary: `${connections} idle streams held by one process${note ? ` (${note})` : ''}; opened in ${memOurs.openSeconds} s vs ${memEcho.openSeconds} s`,
        },
        {
          key: 'ingest',
          goal: { ratio: 0.9, description: '≥ 0.9× with the stream off' },
          figure: mean(onRates),
          baseline: mean(offRates),
          unit: 'writes/s',
          summary:
            'approvals submitted per second over HTTP, live stream on against STREAM_ENABLED=false',
        },
      ],
    };
  });
}
