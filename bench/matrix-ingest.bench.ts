/**
 * matrix-ingest: a real Synapse (scripts/synapse.mjs) pushes a burst of room messages to its
 * application service. Ours: the orchestrator (its production entry point, job workers on),
 * until every message is on the timeline. Baseline: the same burst, from a fresh homeserver of
 * the same version, to a bare node:http receiver that answers `200 {}` and counts the events.
 * Throughput (messages/s) of both; goal ≥ 0.8×. Also reported: the time from `approve` sent in
 * Matrix to the approval decided and the requester's bell counting it (p50/p99).
 */
import { freePort } from '@afenda/db';
import { startTestIssuer } from '@afenda/test-utils/issuer';
import { startSynapse, type SynapseServer } from '@afenda/test-utils/synapse';
import { buildRegistration } from '@afenda/module-chat/server/setup';
import { MatrixClient } from '@afenda/module-chat/server/matrix/client';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { scope, type Defer } from './lib/cleanup.ts';
import { startChildServer } from './lib/child.ts';
import { orchestratorEnv } from './lib/orchestrator-env.ts';
import { startBenchPostgres } from './lib/postgres.ts';
import { positiveInt } from './lib/settings.ts';
import { percentile, round } from './lib/stats.ts';
import type { BenchResult, Goal } from './lib/types.ts';

export const name = 'matrix-ingest';
export const goal: Goal = {
  ratio: 0.8,
  description: '≥ 0.8× a bare AS receiver (messages on the timeline/s)',
};

const SERVER_TS = fileURLToPath(import.meta.resolve('@afenda/orchestrator/server'));
const REALM = fileURLToPath(new URL('../deploy/keycloak/realm-afenda.json', import.meta.url));
const SERVER_NAME = 'afenda.test';
const BOT = 'afenda';

const tokens = () => ({
  asToken: `as-${randomBytes(16).toString('hex')}`,
  hsToken: `hs-${randomBytes(16).toString('hex')}`,
});

async function until(what: string, probe: () => Promise<boolean>, timeoutMs = 300_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

/** Sends n messages as `sender` into room, `concurrency` at a time; resolves when all are sent. */
async function burst(client: MatrixClient, room: string, sender: string, n: number, tag: string) {
  let next = 0;
  const worker = async () => {
    while (next < n) {
      const i = next++;
      await client.call(
        'PUT',
        `/rooms/${encodeURIComponent(room)}/send/m.room.message/${tag}-${i}`,
        { msgtype: 'm.text', body: `message ${i} of the burst` },
        sender,
      );
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
}

async function synapseFor(defer: Defer, label: string, url: string) {
  const t = tokens();
  const registration = buildRegistration({
    orchestratorUrl: url,
    serverName: SERVER_NAME,
    asToken: t.asToken,
    hsToken: t.hsToken,
    botLocalpart: BOT,
  });
  const synapse: SynapseServer = await startSynapse({
    serverName: SERVER_NAME,
    appservices: [registration],
  });
  defer(`stop ${label}`, () => synapse.stop());
  const client = new MatrixClient({
    baseUrl: synapse.url,
    serverName: SERVER_NAME,
    asToken: t.asToken,
    botLocalpart: BOT,
  });
  return { synapse, client, ...t };
}

/** Baseline: Synapse → a bare receiver that answers 200 {} and counts message events. */
async function bareBurst(defer: Defer, n: number): Promise<number> {
  let seen = 0;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      try {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
          events?: Array<{ type: string }>;
        };
        seen += (body.events ?? []).filter((e) => e.type === 'm.room.message').length;
      } catch {
        // not a transaction
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  defer('close the bare receiver', () => new Promise<void>((r) => server.close(() => r())));
  const port = (server.address() as { port: number }).port;
  const { client } = await synapseFor(defer, 'the baseline Synapse', `http://127.0.0.1:${port}/x`);
  const sender = await client.ensureUser('alice', 'Alice');
  const { room_id: room } = await client.call<{ room_id: string }>('POST', '/createRoom', {
    name: 'baseline',
    invite: [sender],
  });
  await client.join(room, sender);
  seen = 0;
  const started = performance.now();
  await burst(client, room, sender, n, 'bare');
  await until('the bare receiver to see the burst', async () => seen >= n);
  return (performance.now() - started) / 1000;
}

export function run(): Promise<BenchResult> {
  return scope(async (defer) => {
    const n = positiveInt('BENCH_MATRIX_MESSAGES', 500);
    const decisions = positiveInt('BENCH_MATRIX_DECISIONS', 30);
    const bareSeconds = await bareBurst(defer, n);

    const embedded = await startBenchPostgres(defer);
    const issuer = await startTestIssuer();
    defer('stop the token issuer', () => issuer.close());
    const dataDir = await mkdtemp(path.join(tmpdir(), 'afenda-bench-data-'));
    defer(`remove ${dataDir}`, () => rm(dataDir, { recursive: true, force: true }));
    const port = await freePort();
    const ours = await synapseFor(defer, 'the orchestrator’s Synapse', `http://127.0.0.1:${port}`);
    const { env, settings } = orchestratorEnv({
      DATA_DIR: dataDir,
      NODE_ENV: 'development',
      HOST: '127.0.0.1',
      PORT: String(port),
      DATABASE_URL: embedded.appUrl,
      KEYCLOAK_ISSUER: issuer.issuer,
      KEYCLOAK_SYNC_SCHEDULE: 'off',
      REALM_EXPORT_FILE: REALM,
      SEED_DEMO_DATA: 'true',
      SETTINGS_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      LOG_LEVEL: 'silent',
      RATE_LIMIT_READS: '1000000',
      RATE_LIMIT_WRITES: '1000000',
      RATE_LIMIT_WEBHOOKS: '1000000',
      RATE_LIMIT_WINDOW_MS: '1000',
      MATRIX_HOMESERVER_URL: ours.synapse.url,
      MATRIX_SERVER_NAME: SERVER_NAME,
      MATRIX_AS_TOKEN: ours.asToken,
      MATRIX_WEBHOOK_TOKEN: ours.hsToken,
      MATRIX_BOT_LOCALPART: BOT,
    });
    const orchestrator = await startChildServer({
      script: SERVER_TS,
      cwd: path.dirname(path.dirname(SERVER_TS)),
      env,
      port,
      readyPath: '/readyz',
      timeoutMs: 120_000,
    });
    defer('stop the orchestrator', () => orchestrator.stop());
    const admin = new pg.Pool({ connectionString: embedded.adminUrl, max: 2 });
    defer('close the admin pool', () => admin.end());
    const one = async <T>(text: string, params: unknown[] = []) =>
      (await admin.query(text, params)).rows[0] as T | undefined;

    // The Support room of Acme, with Alice in it (the orchestrator's reconcile at start).
    const support = (await one<{ id: string }>(
      "select t.id from tenants t join tenants o on o.id = t.parent_id where o.slug = 'acme' and t.slug = 'support'",
    ))!.id;
    let room = '';
    const alice = `@alice:${SERVER_NAME}`;
    await until('the Support room with Alice in it', async () => {
      room =
        (
          await one<{ room_id: string }>(
            "select room_id from chat_rooms where tenant_id = $1 and kind = 'team'",
            [support],
          )
        )?.room_id ?? '';
      if (!room) return false;
      const members = await ours.client.members(room);
      return members.some((m) => m.userId === alice && m.membership === 'join');
    });
    const onTimeline = async () =>
      Number(
        (await one<{ n: string }>(
          "select count(*)::text as n from activity_timeline where tenant_id = $1 and type = 'chat_room.message'",
          [support],
        ))!.n,
      );
    const before = await onTimeline();
    const started = performance.now();
    await burst(ours.client, room, alice, n, 'ours');
    await until('the burst on the timeline', async () => (await onTimeline()) >= before + n);
    const ourSeconds = (performance.now() - started) / 1000;

    // approve in Matrix → decided, and the requester's bell counts it.
    const ids = {
      acme: (await one<{ id: string }>("select id from tenants where slug = 'acme'"))!.id,
      aliceId: (await one<{ id: string; sub: string }>(
        "select id, keycloak_id as sub from users where username = 'alice'",
      ))!,
    };
    const aliceToken = await issuer.token({
      sub: ids.aliceId.sub,
      exp: Math.floor(Date.now() / 1000) + 3600,
    });
    const api = async (p: string, body: unknown) => {
      const res = await fetch(`http://127.0.0.1:${port}/api/v1${p}`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${aliceToken}`,
          'x-tenant-id': ids.acme,
          'content-type': 'application/json',
        },
        body: JSON.stringify(body),
      });
      if (!res.ok) throw new Error(`${p}: ${res.status} ${await res.text()}`);
      return (await res.json()) as { data: { id: string } };
    };
    const latencies: number[] = [];
    for (let i = 0; i < decisions; i++) {
      const { data } = await api('/approvals/requests', { type: 'generic', title: `bench ${i}` });
      await api(`/approvals/${data.id}/submit`, {});
      let notice: { room_id: string } | undefined;
      await until('the notice to Ada', async () => {
        notice = await one(
          "select c.room_id from chat_notices c join users u on u.id = c.user_id where c.approval_id = $1 and u.username = 'ada'",
          [data.id],
        );
        return !!notice;
      });
      const t0 = performance.now();
      await ours.client.call(
        'PUT',
        `/rooms/${encodeURIComponent(notice!.room_id)}/send/m.room.message/approve-${i}`,
        { msgtype: 'm.text', body: 'approve' },
        `@ada:${SERVER_NAME}`,
      );
      await until('the decision on the bell', async () =>
        Boolean(
          await one(
            "select 1 from notifications where subject_id = $1 and user_id = $2 and kind = 'approval.decided'",
            [data.id, ids.aliceId.id],
          ),
        ),
      );
      latencies.push(performance.now() - t0);
    }
    const p50 = percentile(latencies, 50);
    const p99 = percentile(latencies, 99);
    return {
      figure: round(n / ourSeconds, 1),
      baseline: round(n / bareSeconds, 1),
      unit: 'messages/s',
      details: {
        messages: n,
        synapse: ours.synapse.version,
        ourSeconds: round(ourSeconds, 2),
        bareSeconds: round(bareSeconds, 2),
        approveToBellMs: { p50: round(p50, 0), p99: round(p99, 0), samples: decisions },
        settings,
      },
      extra: [
        {
          key: 'approve-to-bell',
          goal: { description: 'report: `approve` in Matrix → decided and on the bell, p99' },
          figure: round(p99, 0),
          baseline: round(p50, 0),
          unit: 'ms p99',
          baselineUnit: 'ms p50',
          summary: `approve in Matrix → the requester's bell: p50 ${round(p50, 0)} ms, p99 ${round(p99, 0)} ms over ${decisions}`,
        },
      ],
    };
  });
}
