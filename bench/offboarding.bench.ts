/**
 * offboarding: people disabled in the directory, one after another, each followed by Keycloak's
 * nudge (`POST /api/v1/webhooks/keycloak {userId}`, as the event listener sends it), against the
 * orchestrator's production entry point with its workers. Measured for each person: from the
 * nudge until the last tool revoked them: their Shell session deleted and their Chatwoot account
 * user removed (the access engine's run through the outbox). Chatwoot is the stateful double
 * (packages/test-utils/src/chatwoot-platform-double.ts) behind a local HTTP server; the directory
 * is the realm export with BENCH_OFFBOARD_USERS extra people in Acme's support team (a realm file
 * the orchestrator reads as Keycloak's stand-in). Matrix is not running here (its offboarding is
 * measured against a real Synapse in modules/chat/server/chat.synapse.test.ts); nobody holds an
 * open meeting or a live whiteboard, so those revocations are no-ops.
 * Reported: p50 and p99 over the people (goal ≤ 10 s), beside the nudge's own answer (the
 * directory reconcile of that person) p50/p99.
 */
import { freePort } from '@afenda/db';
import { startTestIssuer } from '@afenda/test-utils/issuer';
import { startChatwootPlatformDouble } from '@afenda/test-utils/chatwoot-platform-double';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { scope } from './lib/cleanup.ts';
import { startChildServer } from './lib/child.ts';
import { orchestratorEnv } from './lib/orchestrator-env.ts';
import { startBenchPostgres } from './lib/postgres.ts';
import { positiveInt } from './lib/settings.ts';
import { percentile, round } from './lib/stats.ts';
import type { BenchResult, Goal } from './lib/types.ts';

export const name = 'offboarding';
export const goal: Goal = {
  lowerIsBetter: true,
  description: 'report: nudge → last tool revoked, p99 (goal ≤ 10 s) vs the nudge alone',
};

const SERVER_TS = fileURLToPath(import.meta.resolve('@afenda/orchestrator/server'));
const REALM = fileURLToPath(new URL('../deploy/keycloak/realm-afenda.json', import.meta.url));
const NUDGE_SECRET = `nudge-${randomBytes(12).toString('hex')}`;

interface RealmUser {
  id: string;
  username: string;
  enabled: boolean;
  email?: string;
  firstName?: string;
  lastName?: string;
  groups?: string[];
  [key: string]: unknown;
}

async function until(what: string, probe: () => Promise<boolean>, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

export function run(): Promise<BenchResult> {
  return scope(async (defer) => {
    const n = positiveInt('BENCH_OFFBOARD_USERS', 50);
    const dir = await mkdtemp(path.join(tmpdir(), 'afenda-bench-offboard-'));
    defer(`remove ${dir}`, () => rm(dir, { recursive: true, force: true }));

    // The directory: the realm export, with n leavers in Acme's support team.
    const realm = JSON.parse(await readFile(REALM, 'utf8')) as { users: RealmUser[] };
    const leavers: RealmUser[] = Array.from({ length: n }, (_, i) => ({
      id: randomUUID(),
      username: `leaver${i}`,
      enabled: true,
      email: `leaver${i}@acme.example`,
      emailVerified: true,
      firstName: 'Leaver',
      lastName: String(i),
      groups: ['/acme/support'],
      realmRoles: ['default-roles-afenda'],
    }));
    const realmFile = path.join(dir, 'realm.json');
    const writeRealm = (disabled: Set<string>) =>
      writeFile(
        realmFile,
        JSON.stringify({
          ...realm,
          users: [...realm.users, ...leavers].map((u) =>
            disabled.has(u.id) ? { ...u, enabled: false } : u,
          ),
        }),
      );
    await writeRealm(new Set());

    // Chatwoot: the stateful double, behind HTTP for the orchestrator's process.
    const cw = startChatwootPlatformDouble();
    const account = cw.local.createAccount('Acme Support');
    const served = await cw.listen();
    defer('close the Chatwoot double', () => served.close());
    const cwUrl = served.url;

    const embedded = await startBenchPostgres(defer);
    const issuer = await startTestIssuer();
    defer('stop the token issuer', () => issuer.close());
    const port = await freePort();
    const { env, settings } = orchestratorEnv({
      DATA_DIR: dir,
      NODE_ENV: 'development',
      HOST: '127.0.0.1',
      PORT: String(port),
      DATABASE_URL: embedded.appUrl,
      KEYCLOAK_ISSUER: issuer.issuer,
      KEYCLOAK_SYNC_SCHEDULE: 'off',
      KEYCLOAK_WEBHOOK_SECRET: NUDGE_SECRET,
      REALM_EXPORT_FILE: realmFile,
      SEED_DEMO_DATA: 'true',
      SETTINGS_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      CHATWOOT_PLATFORM_TOKEN: cw.platformToken,
      ACCESS_SYNC_SCHEDULE: 'off',
      JOB_POLL_INTERVAL_MS: '50',
      LOG_LEVEL: 'silent',
      RATE_LIMIT_WRITES: '1000000',
      RATE_LIMIT_READS: '1000000',
      RATE_LIMIT_WEBHOOKS: '1000000',
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

    // Acme's owner connects its Chatwoot account, then a first access run makes everyone an agent.
    const acme = (
      await admin.query<{ id: string }>(
        "select id from tenants where slug = 'acme' and kind = 'organization'",
      )
    ).rows[0]!.id;
    const ada = realm.users.find((u) => u.username === 'ada')!;
    const token = await issuer.token({ sub: ada.id, exp: Math.floor(Date.now() / 1000) + 3600 });
    const api = async (method: string, p: string, body: unknown) => {
      const res = await fetch(`http://127.0.0.1:${port}/api/v1${p}`, {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          'x-tenant-id': acme,
          'content-type': 'application/json',
        },
        body: JSON.stringify(body),
      });
      if (!res.ok) throw new Error(`${method} ${p}: ${res.status} ${await res.text()}`);
    };
    await api('PUT', '/modules/inbox/settings', {
      enabled: true,
      baseUrl: cwUrl,
      apiToken: 'an-agent-bot-token',
      webhookSecret: 'bench-webhook-secret',
      options: { accountId: account },
    });
    await api('POST', '/access/sync', { tool: 'chatwoot' });
    const inAccount = (email: string) => {
      const id = cw.userByEmail(email)?.id;
      return id !== undefined && cw.accountUsers(account).has(id);
    };
    await until('every leaver an agent in Chatwoot', async () =>
      leavers.every((l) => inAccount(l.email!)),
    );
    // Each leaver has a Shell session open.
    for (const l of leavers)
      await admin.query(
        "insert into shell_sessions (id_hash, subject, data, expires_at) values ($1, $2, '{}', now() + interval '1 hour')",
        [`bench-${l.id}`, l.id],
      );

    const nudgeMs: number[] = [];
    const sessionMs: number[] = [];
    const lastToolMs: number[] = [];
    const disabled = new Set<string>();
    for (const l of leavers) {
      disabled.add(l.id);
      await writeRealm(disabled);
      const t0 = performance.now();
      const res = await fetch(`http://127.0.0.1:${port}/api/v1/webhooks/keycloak`, {
        method: 'POST',
        headers: { authorization: `Bearer ${NUDGE_SECRET}`, 'content-type': 'application/json' },
        body: JSON.stringify({ userId: l.id }),
      });
      if (!res.ok) throw new Error(`the nudge: ${res.status} ${await res.text()}`);
      nudgeMs.push(performance.now() - t0);
      let sessionGone = 0;
      await until(`${l.username} revoked everywhere`, async () => {
        if (!sessionGone) {
          const s = await admin.query('select 1 from shell_sessions where id_hash = $1', [
            `bench-${l.id}`,
          ]);
          if (s.rowCount === 0) sessionGone = performance.now() - t0;
        }
        return sessionGone > 0 && !inAccount(l.email!);
      });
      sessionMs.push(sessionGone);
      lastToolMs.push(performance.now() - t0);
    }
    const p = (xs: number[], q: number) => round(percentile(xs, q), 0);
    return {
      figure: p(lastToolMs, 99),
      baseline: p(nudgeMs, 99),
      unit: 'ms p99',
      details: {
        people: n,
        lastToolMs: { p50: p(lastToolMs, 50), p99: p(lastToolMs, 99), max: p(lastToolMs, 100) },
        shellSessionMs: { p50: p(sessionMs, 50), p99: p(sessionMs, 99) },
        nudgeAnswerMs: { p50: p(nudgeMs, 50), p99: p(nudgeMs, 99) },
        chatwootCalls: cw.count(),
        settings,
      },
      extra: [
        {
          key: 'p50',
          goal: { lowerIsBetter: true, description: 'report: nudge → last tool revoked, p50' },
          figure: p(lastToolMs, 50),
          baseline: p(nudgeMs, 50),
          unit: 'ms p50',
          summary: `offboarding ${n} people one by one: nudge → Shell session and Chatwoot revoked p50 ${p(lastToolMs, 50)} ms, p99 ${p(lastToolMs, 99)} ms (goal ≤ 10,000 ms); Shell session alone p99 ${p(sessionMs, 99)} ms; the nudge's answer p50 ${p(nudgeMs, 50)} ms, p99 ${p(nudgeMs, 99)} ms`,
        },
      ],
    };
  });
}
