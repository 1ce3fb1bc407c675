/**
 * Faults on purpose, on the cluster (e2e/lib/cluster.ts: three orchestrators and two Shells
 * behind haproxy, on PostgreSQL and Redis), while a background load posts signed Chatwoot
 * deliveries through the proxy (retried, as Chatwoot retries, until one is answered 2xx), a
 * requester keeps asking for approvals, and the CEO's live stream is read (resuming by
 * Last-Event-ID whenever it drops):
 *
 *   1. SIGKILL one orchestrator replica, then start it again;
 *   2. restart PostgreSQL in immediate mode (E2E_PG_RESTART: the command that does it);
 *   3. restart Redis (E2E_REDIS_RESTART: the command that does it).
 *
 * After each: readiness returns on every replica (the time is printed). At the end: every
 * delivery answered 2xx was processed exactly once, and every approval the API acknowledged
 * reached the CEO's stream. Recovery times go to the output (docs/operations.md keeps them).
 *
 *   TEST_DATABASE_URL=… TEST_REDIS_URL=… E2E_PG_RESTART='…' E2E_REDIS_RESTART='…' \
 *     node --import tsx e2e/cluster-faults.e2e.ts
 *
 * Fails, never skips, when a part is missing or does not start.
 */
import { chatwootFixture, signChatwootDelivery } from '@afenda/test-utils';
import { demoConversation } from '@afenda/module-inbox/server/demo/payloads';
import { execSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';

import { assert, check, finish, log, setupFailed } from './lib/checks.ts';
import { sleep } from './lib/processes.ts';
import { startProduct, type Product } from './lib/product.ts';

const started = performance.now();
const timings: Record<string, number> = {};
const notes: string[] = [];
let product: Product | undefined;
let db: pg.Client | undefined;
let running = true;

const restartCommand = (name: string): string => {
  const command = process.env[name];
  if (!command) throw new Error(`${name} is not set: the shell command that restarts it`);
  return command;
};

/** An access token from the development provider (its test client's password grant). */
async function tokenFor(issuer: string, username: string): Promise<string> {
  for (let attempt = 0; ; attempt++) {
    const res = await fetch(`${issuer}/protocol/openid-connect/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'password',
        client_id: 'afenda-test',
        username,
        password: `demo-${username}`,
        scope: 'openid',
      }),
    }).catch(() => null);
    if (res?.ok) return ((await res.json()) as { access_token: string }).access_token;
    if (attempt > 20) throw new Error(`no token for ${username}: ${res?.status}`);
    await sleep(250);
  }
}

try {
  const pgRestart = restartCommand('E2E_PG_RESTART');
  const redisRestart = restartCommand('E2E_REDIS_RESTART');
  product = await startProduct({ cluster: true, skipBuild: process.env.E2E_SKIP_BUILD === '1' });
  const cluster = product.cluster!;
  const api = product.orchestratorUrl; // the proxy
  log(`e2e: the cluster is up (${product.setupMs} ms) behind ${api}`);
  timings.clusterUpMs = product.setupMs;
  db = new pg.Client({ connectionString: product.superUrl });
  db.on('error', () => undefined); // PostgreSQL restarts below; this client reconnects
  await db.connect();
  const query = async <T extends pg.QueryResultRow>(text: string, values: unknown[] = []) => {
    for (let attempt = 0; ; attempt++) {
      try {
        return (await db!.query<T>(text, values)).rows;
      } catch (err) {
        if (attempt > 40) throw err;
        await db!.end().catch(() => undefined);
        db = new pg.Client({ connectionString: product!.superUrl });
        db.on('error', () => undefined);
        await db.connect().catch(() => undefined);
        await sleep(250);
      }
    }
  };
  const [acme] = await query<{ id: string }>(
    "select id from tenants where slug = 'acme' and kind = 'organization'",
  );
  const demo = JSON.parse(
    await readFile(path.join(product.dataDir, 'demo-chatwoot.json'), 'utf8'),
  ) as { accounts: { org: string; accountId: number; secret: string }[] };
  const account = demo.accounts.find((a) => a.org === 'acme')!;

  // ---- The background load ----------------------------------------------------------------
  const accepted = new Set<string>();
  const acceptedAt: { id: string; at: number }[] = [];
  const answers = new Map<number, number>(); // status → count (0: no answer)
  let lastFailureAt = 0;
  const deliver = async (payload: unknown) => {
    const deliveryId = crypto.randomUUID();
    for (let attempt = 0; ; attempt++) {
      // Chatwoot signs each attempt afresh, with the same delivery id.
      const signed = signChatwootDelivery({ secret: account.secret, payload, deliveryId });
      const res = await fetch(`${api}/api/v1/webhooks/chatwoot`, {
        method: 'POST',
        headers: signed.headers,
        body: signed.body,
        signal: AbortSignal.timeout(10_000),
      }).catch(() => null);
      await res?.body?.cancel();
      const status = res?.status ?? 0;
      answers.set(status, (answers.get(status) ?? 0) + 1);
      if (status >= 200 && status < 300) {
        accepted.add(deliveryId);
        acceptedAt.push({ id: deliveryId, at: Date.now() });
        return;
      }
      lastFailureAt = Date.now();
      if (attempt > 300) throw new Error(`delivery ${deliveryId} never accepted (last ${status})`);
      await sleep(200);
    }
  };
  let conversations = 0;
  const loadWorker = async (worker: number) => {
    while (running) {
      const k = worker * 100_000 + conversations++;
      const [created, message] = demoConversation(
        {
          accountId: account.accountId,
          accountName: 'Acme Corp',
          displayId: 80_000 + k,
          contactName: `Load ${k}`,
          message: `load message ${k}`,
          messageId: 8_000_000 + k,
          labels: [],
        },
        chatwootFixture,
      );
      await deliver(created);
      await deliver(message);
      await sleep(100);
    }
  };

  // ---- People: a requester asks, the CEO's stream listens ------------------------------------
  const acknowledged = new Set<string>();
  const requester = async () => {
    let token = await tokenFor(product!.issuer, 'alice');
    let n = 0;
    while (running) {
      const res = await fetch(`${api}/api/v1/approvals/requests`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${token}`,
          'x-tenant-id': acme!.id,
          'content-type': 'application/json',
        },
        body: JSON.stringify({
          type: 'ceo_approval',
          title: `Drill request ${++n}`,
          source: 'crm',
          submit: true,
        }),
        signal: AbortSignal.timeout(10_000),
      }).catch(() => null);
      if (res?.status === 201)
        acknowledged.add(((await res.json()) as { data: { id: string } }).data.id);
      else {
        await res?.body?.cancel();
        if (res?.status === 401) token = await tokenFor(product!.issuer, 'alice');
      }
      await sleep(400);
    }
  };
  const seen = new Set<string>();
  let lastEventId: string | undefined;
  let reconnects = 0;
  const resumes: { at: string; from: string | undefined }[] = [];
  let lastEventAt = Date.now();
  /** The stream answered once: what the requester asks for from then on must reach it. */
  let connected = false;
  const stream = async () => {
    let token = await tokenFor(product!.issuer, 'ada');
    while (running) {
      const res = await fetch(`${api}/api/v1/stream`, {
        headers: {
          authorization: `Bearer ${token}`,
          'x-tenant-id': acme!.id,
          accept: 'text/event-stream',
          ...(lastEventId ? { 'last-event-id': lastEventId } : {}),
        },
      }).catch(() => null);
      if (!res?.ok || !res.body) {
        if (res?.status === 401) token = await tokenFor(product!.issuer, 'ada');
        await res?.body?.cancel();
        await sleep(300);
        continue;
      }
      const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
      connected = true;
      let buffer = '';
      try {
        while (running) {
          const { value, done } = await reader.read();
          if (done) break;
          buffer += value;
          let end;
          while ((end = buffer.indexOf('\n\n')) >= 0) {
            const block = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            const id = /^id: ?(.*)$/m.exec(block)?.[1];
            const data = /^data: ?(.*)$/m.exec(block)?.[1];
            if (id) lastEventId = id;
            if (data) {
              lastEventAt = Date.now();
              for (const m of data.matchAll(
                /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g,
              ))
                seen.add(m[0]);
            }
          }
        }
      } catch {
        // dropped: resume by Last-Event-ID
      }
      await reader.cancel().catch(() => undefined);
      if (running) {
        reconnects++;
        resumes.push({ at: new Date().toISOString(), from: lastEventId });
      }
    }
  };

  // The CEO's stream first: without a Last-Event-ID it starts at "now", so a request made
  // before it opened is not the stream's to deliver.
  const streaming = stream();
  for (let i = 0; i < 200 && !connected; i++) await sleep(50);
  assert(connected, "the CEO's stream did not open");
  const workers = [loadWorker(0), loadWorker(1), requester(), streaming];
  const allReady = async () =>
    (await Promise.all([0, 1, 2].map((i) => cluster.ready(i)))).every(Boolean);
  const until = async (what: string, ok: () => Promise<boolean>, ms = 90_000) => {
    const t = Date.now();
    while (!(await ok().catch(() => false))) {
      if (Date.now() - t > ms) {
        const said = await Promise.all([0, 1, 2].map((i) => cluster.readiness(i)));
        throw new Error(
          `timed out after ${ms} ms waiting for ${what}; /readyz: ${said.join(' | ')}`,
        );
      }
      await sleep(100);
    }
    return Date.now() - t;
  };
  /** After a fault: the first delivery accepted after `since`, in ms. */
  const firstAcceptedAfter = async (since: number) => {
    await until('a delivery accepted again', async () => acceptedAt.some((a) => a.at > since));
    return acceptedAt.find((a) => a.at > since)!.at - since;
  };
  /** After a fault: when a delivery accepted after it has been processed, in ms after `since`. */
  const processedAfter = async (since: number) => {
    await until('a delivery accepted again', async () => acceptedAt.some((a) => a.at > since));
    const first = acceptedAt.find((a) => a.at > since)!;
    await until(
      'a delivery accepted after the fault to be processed',
      async () =>
        (
          await query<{ n: number }>(
            "select count(*)::int n from webhook_deliveries where source = 'chatwoot' and delivery_id = $1 and status = 'processed'",
            [first.id],
          )
        )[0]!.n === 1,
      120_000,
    );
    return Date.now() - since;
  };
  /** Live streams open on replica i (its own /metrics, not through the proxy). */
  const streamsOn = async (i: number) => {
    const text = await fetch(`http://127.0.0.1:${cluster.ports.orchestrators[i]}/metrics`)
      .then((r) => r.text())
      .catch(() => '');
    return Number(/^afenda_stream_connections (\d+)/m.exec(text)?.[1] ?? 0);
  };
  await sleep(3_000); // the load runs before anything breaks

  await check(
    "SIGKILL the orchestrator replica serving the CEO's stream, under load; then start it again",
    async () => {
      const open = await Promise.all([0, 1, 2].map(streamsOn));
      const victim = open.findIndex((n) => n > 0);
      assert(victim >= 0, `no replica has the CEO's stream open: ${open.join(', ')}`);
      const reconnectsBefore = reconnects;
      const killedAt = Date.now();
      await cluster.killOrchestrator(victim);
      const served = await firstAcceptedAfter(killedAt);
      const processed = await processedAfter(killedAt);
      await until('the CEO stream to resume elsewhere', async () => reconnects > reconnectsBefore);
      const resumed = Date.now() - killedAt;
      await sleep(1_000);
      const restartAt = Date.now();
      await cluster.startOrchestrator(victim);
      await until('the replica ready again', () => cluster.ready(victim));
      timings.replicaKillServedMs = served;
      timings.replicaKillProcessedMs = processed;
      timings.replicaRestartReadyMs = Date.now() - restartAt;
      notes.push(
        `replica o${victim + 1} SIGKILL (it served the CEO's stream): deliveries accepted again ${served} ms after the kill, processed again after ${processed} ms; the stream resumed on another replica after ${resumed} ms (Last-Event-ID); started again, ready in ${timings.replicaRestartReadyMs} ms`,
      );
    },
  );

  await check('restart PostgreSQL in immediate mode under load', async () => {
    const at = Date.now();
    execSync(pgRestart, { stdio: 'ignore', shell: '/bin/bash' });
    const restarted = Date.now() - at;
    await until('every replica ready after the PostgreSQL restart', allReady);
    const ready = Date.now() - at;
    const served = await firstAcceptedAfter(at);
    const processed = await processedAfter(at);
    timings.pgRestartMs = restarted;
    timings.pgReadyMs = ready;
    timings.pgProcessedMs = processed;
    notes.push(
      `PostgreSQL restart -m immediate (the restart itself ${restarted} ms): every replica ready ${ready} ms after it began; deliveries accepted again after ${served} ms, processed again after ${processed} ms`,
    );
  });

  await check('restart Redis under load', async () => {
    const at = Date.now();
    const eventsBefore = seen.size;
    execSync(redisRestart, { stdio: 'ignore', shell: '/bin/bash' });
    const served = await firstAcceptedAfter(at);
    await until(
      'the CEO stream to carry new events',
      async () => seen.size > eventsBefore && lastEventAt > at,
    );
    const streamed = Date.now() - at;
    await until('every replica ready after the Redis restart', allReady);
    const processed = await processedAfter(at);
    timings.redisServedMs = served;
    timings.redisStreamMs = streamed;
    timings.redisProcessedMs = processed;
    notes.push(
      `Redis restart: deliveries accepted again after ${served} ms, processed again after ${processed} ms; the CEO's stream carried new events after ${streamed} ms`,
    );
  });

  running = false;
  await Promise.race([Promise.all(workers), sleep(15_000)]);

  await check('every delivery answered 2xx was processed exactly once', async () => {
    const ids = [...accepted];
    assert(ids.length > 50, `only ${ids.length} deliveries were accepted: no load`);
    const waited = await until(
      'every accepted delivery processed',
      async () => {
        const [row] = await query<{ n: number }>(
          "select count(*)::int n from webhook_deliveries where source = 'chatwoot' and delivery_id = any($1) and status = 'processed'",
          [ids],
        );
        return row!.n === ids.length;
      },
      120_000,
    );
    const [stored] = await query<{ n: number }>(
      "select count(*)::int n from webhook_deliveries where source = 'chatwoot' and delivery_id = any($1)",
      [ids],
    );
    assert(stored!.n === ids.length, `${stored!.n} rows for ${ids.length} deliveries`);
    // Exactly once: one message and one timeline entry per load conversation.
    const twice = await query<{ external_id: string; n: number }>(
      "select external_id, count(*)::int n from conversation_messages where content like 'load message %' group by external_id having count(*) <> 1",
    );
    assert(twice.length === 0, `messages stored twice: ${JSON.stringify(twice.slice(0, 5))}`);
    const entries = await query<{ subject_id: string; n: number }>(
      `select t.subject_id, count(*)::int n from activity_timeline t
         join conversations c on c.id::text = t.subject_id::text
        where c.contact_name like 'Load %' and t.type = 'conversation.message_received'
        group by t.subject_id having count(*) <> 1`,
    );
    assert(
      entries.length === 0,
      `timeline entries not once: ${JSON.stringify(entries.slice(0, 5))}`,
    );
    const failed = [...answers].filter(([s]) => s < 200 || s >= 300);
    notes.push(
      `${ids.length} deliveries accepted and processed once (all processed ${waited} ms after the load stopped); answers: ${[...answers].map(([s, n]) => `${s || 'none'}×${n}`).join(', ')}${failed.length ? ' (the non-2xx were retried, as Chatwoot retries)' : ''}`,
    );
  });

  await check("every approval the API acknowledged reached the CEO's stream", async () => {
    assert(acknowledged.size > 10, `only ${acknowledged.size} approvals were acknowledged`);
    await until(
      'the last events on the stream',
      async () => [...acknowledged].every((id) => seen.has(id)),
      30_000,
    ).catch(() => undefined);
    const missed = [...acknowledged].filter((id) => !seen.has(id));
    if (missed.length) {
      // What the log holds for them, against where the client resumed: to tell a lost event
      // from one never written.
      const rows = await query<{ user_id: string | null; name: string; pos: string; at: string }>(
        `select user_id, name, seq::text as pos, created_at::text as at
           from stream_events where payload::text like any($1)`,
        [missed.map((id) => `%${id}%`)],
      ).catch((err: Error) => [{ user_id: null, name: err.message, pos: '', at: '' }]);
      log(`missed: ${JSON.stringify(rows)}; resumed from: ${JSON.stringify(resumes)}`);
    }
    assert(
      missed.length === 0,
      `${missed.length} of ${acknowledged.size} never reached the stream: ${missed.slice(0, 3).join(', ')}`,
    );
    assert(reconnects > 0, 'the stream never had to resume: the drill did not test Last-Event-ID');
    notes.push(
      `${acknowledged.size} approvals, all on the CEO's stream; it reconnected ${reconnects} time(s), resuming by Last-Event-ID`,
    );
  });

  await check('readiness on every replica at the end', async () => {
    assert(await allReady(), 'a replica is not ready');
  });
  log(
    `last failure answered at ${lastFailureAt ? new Date(lastFailureAt).toISOString() : 'never'}`,
  );
} catch (err) {
  setupFailed(err);
} finally {
  running = false;
  await db?.end().catch(() => undefined);
  await product?.stop().catch(() => undefined);
}

for (const note of notes) log(`recovery: ${note}`);
await finish({ startedAt: started, screenshots: 'e2e/artifacts/', timings, notes });
