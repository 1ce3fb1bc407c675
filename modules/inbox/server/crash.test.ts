/**
 * The crash test: signed deliveries flowing into a real orchestrator process, which is killed
 * with SIGKILL midway and started again; then every delivery it stored is processed exactly
 * once. Effects are counted in the database (messages mirrored, timeline entries), not in logs.
 */
import {
  chatwootFixture,
  createTestDatabase,
  signChatwootDelivery,
  type TestDatabase,
} from '@afenda/test-utils';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { demoConversation } from './demo/payloads.ts';

const APP_DIR = fileURLToPath(new URL('../../../apps/orchestrator/', import.meta.url));
const CONVERSATIONS = 12;
const MESSAGES_EACH = 25;

let tdb: TestDatabase;
let dataDir: string;
let child: ChildProcess | undefined;
let port = 0;

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });

async function startOrchestrator(): Promise<ChildProcess> {
  const proc = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    cwd: APP_DIR,
    env: {
      ...process.env,
      NODE_ENV: 'development',
      HOST: '127.0.0.1',
      PORT: String(port),
      DATABASE_URL: tdb.appUrl,
      DATA_DIR: dataDir,
      SEED_DEMO_DATA: 'true',
      LOG_LEVEL: 'warn',
      RATE_LIMIT_WEBHOOKS: '1000000',
      JOB_POLL_INTERVAL_MS: '200',
      JOB_RECOVERY_AFTER_S: '2',
      KEYCLOAK_SYNC_SCHEDULE: 'off',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  proc.stdout?.on('data', (c: Buffer) => output.push(c.toString()));
  proc.stderr?.on('data', (c: Buffer) => output.push(c.toString()));
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      const res = await fetch(`http://127.0.0.1:${port}/readyz`);
      if (res.ok) return proc;
    } catch {
      // not yet
    }
    if (proc.exitCode !== null || Date.now() > deadline)
      throw new Error(`the orchestrator did not start:\n${output.join('').slice(-2000)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

beforeAll(async () => {
  tdb = await createTestDatabase();
  dataDir = await mkdtemp(path.join(tmpdir(), 'afenda-crash-'));
  port = await freePort();
  child = await startOrchestrator();
}, 90_000);

afterAll(async () => {
  child?.kill('SIGKILL');
  await tdb?.drop();
  await rm(dataDir, { recursive: true, force: true });
});

it('after SIGKILL midway and a restart, every stored delivery is processed exactly once', async () => {
  const demo = JSON.parse(await readFile(path.join(dataDir, 'demo-chatwoot.json'), 'utf8')) as {
    accounts: { org: string; accountId: number; secret: string }[];
  };
  const secret = demo.accounts.find((a) => a.org === 'acme')!.secret;
  const deliveries: { body: string; headers: Record<string, string>; deliveryId: string }[] = [];
  for (let c = 0; c < CONVERSATIONS; c++) {
    for (let m = 0; m < MESSAGES_EACH; m++) {
      const [, message] = demoConversation(
        {
          accountId: 1,
          accountName: 'Acme',
          displayId: 9000 + c,
          contactName: `Customer ${c}`,
          message: `message ${m} of conversation ${c}`,
          labels: [],
          messageId: 1_000_000 + c * 1000 + m,
        },
        (name) => chatwootFixture(name),
      );
      deliveries.push(signChatwootDelivery({ secret, payload: message }));
    }
  }
  const acknowledged = new Set<string>();
  const send = async (d: (typeof deliveries)[number]) => {
    try {
      const res = await fetch(`http://127.0.0.1:${port}/api/v1/webhooks/chatwoot`, {
        method: 'POST',
        headers: d.headers,
        body: d.body,
      });
      if (res.status === 202 || res.status === 200) acknowledged.add(d.deliveryId);
    } catch {
      // the process died with this request in flight: not acknowledged
    }
  };
  // 8 senders; the process is killed once a third is acknowledged
  const half = Math.floor(deliveries.length / 2);
  let next = 0;
  const sender = async () => {
    while (next < half) {
      await send(deliveries[next++]!);
      sent += 1;
    }
  };
  let sent = 0;
  const killer = (async () => {
    while (acknowledged.size < deliveries.length / 3 && sent < half)
      await new Promise((r) => setTimeout(r, 5));
    child!.kill('SIGKILL');
  })();
  await Promise.all([...Array.from({ length: 8 }, sender), killer]);
  const dead = child!;
  if (dead.exitCode === null && dead.signalCode === null)
    await new Promise((r) => dead.once('exit', r));
  const beforeRestart = acknowledged.size;
  process.stdout.write(`crash test: killed after ${beforeRestart} acknowledged\n`);
  expect(beforeRestart).toBeGreaterThan(0);

  child = await startOrchestrator();
  next = half;
  const rest = async () => {
    while (next < deliveries.length) await send(deliveries[next++]!);
  };
  await Promise.all(Array.from({ length: 8 }, rest));

  // every stored delivery reaches processed: the sweep job re-queues what the dead process held
  // once it is JOB_RECOVERY_AFTER_S overdue. It runs at start and each minute; here an operator
  // also runs it now (npm run platform -- run jobs.sweep), every few seconds until done.
  const deadline = Date.now() + 60_000;
  let unfinished = -1;
  let swept = Date.now();
  while (Date.now() < deadline) {
    if (Date.now() - swept > 3000) {
      const run = spawnSync(
        process.execPath,
        ['--import', 'tsx', 'src/cli/afenda.ts', 'platform', 'run', 'jobs.sweep', '--json'],
        { cwd: APP_DIR, env: { ...process.env, DATABASE_URL: tdb.appUrl }, encoding: 'utf8' },
      );
      expect(run.stderr).toBe('');
      expect(JSON.parse(run.stdout)).toEqual({ queued: 'jobs.sweep' });
      swept = Date.now();
    }
    const { rows } = await tdb.admin.query<{ n: number }>(
      "select count(*)::int as n from webhook_deliveries where status <> 'processed'",
    );
    unfinished = rows[0]!.n;
    if (unfinished === 0) break;
    await new Promise((r) => setTimeout(r, 250));
  }
  expect(unfinished).toBe(0);

  const stored = (
    await tdb.admin.query<{ delivery_id: string }>('select delivery_id from webhook_deliveries')
  ).rows.map((r) => r.delivery_id);
  // nothing acknowledged was lost
  for (const id of acknowledged) expect(stored).toContain(id);
  const count = async (text: string) => (await tdb.admin.query<{ n: number }>(text)).rows[0]!.n;
  // exactly once: one mirrored message and one timeline entry per stored delivery
  expect(await count('select count(*)::int as n from conversation_messages')).toBe(stored.length);
  expect(
    await count(
      "select count(*)::int as n from activity_timeline where type = 'conversation.message_received'",
    ),
  ).toBe(stored.length);
  expect(
    await count(
      'select count(*)::int as n from (select external_id from conversation_messages group by external_id having count(*) > 1) d',
    ),
  ).toBe(0);
  expect(
    await count(
      "select count(*)::int as n from activity_timeline where type = 'conversation.created'",
    ),
  ).toBe(
    await count('select count(distinct conversation_id)::int as n from conversation_messages'),
  );
  process.stdout.write(
    `crash test: ${acknowledged.size} acknowledged (${beforeRestart} before the kill), ${stored.length} stored, all processed once\n`,
  );
}, 150_000);
