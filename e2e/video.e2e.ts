/**
 * The video module (Jitsi consultation rooms, its page titled "Meetings") in a real browser, against the whole product started
 * here (e2e/lib/product.ts) and a stand-in Jitsi deployment: a local server whose
 * `external_api.js` builds an inert iframe and emits the IFrame API's events with the payloads of
 * packages/test-utils/contracts/jitsi/iframe-events.example.json. Jitsi itself can't run here.
 *
 *   node --import tsx e2e/video.e2e.ts
 *
 * E2E_SKIP_BUILD=1   use the Shell build that is there (otherwise `turbo run build`, cached)
 * CHROMIUM_PATH      the browser (default /usr/bin/chromium; never a downloaded one)
 *
 * Screenshots go to e2e/artifacts/video-*.png. Prints "N passed, N failed"; exits 1 on any failure.
 */
import { spawnSync } from 'node:child_process';
import { mkdir, readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import path from 'node:path';
import pg from 'pg';
import type { Browser, Page } from 'playwright-core';

import { assert, assertEqual, check, log, finish, setupFailed } from './lib/checks.ts';
import { launchChromium } from './lib/chromium.ts';
import { waitForExpression } from './lib/csp.ts';
import { ROOT, freePort, sleep } from './lib/processes.ts';
import { startProduct, type Product } from './lib/product.ts';

const ARTIFACTS = path.join(ROOT, 'e2e', 'artifacts');
const started = performance.now();
const JITSI_SECRET = 'e2e-jitsi-app-secret-0123456789abcdef';
const events = await readFile(
  path.join(ROOT, 'packages/test-utils/contracts/jitsi/iframe-events.example.json'),
  'utf8',
);

/** The stand-in IFrame API: records what the Shell passed, emits the contract's events. */
const EXTERNAL_API = `
(() => {
  const EVENTS = ${events};
  class JitsiMeetExternalAPI {
    constructor(domain, options) {
      this.listeners = {};
      window.__jitsi = { domain, options: { ...options, parentNode: undefined }, disposed: false };
      const frame = document.createElement('iframe');
      frame.title = 'Jitsi Meet (stand-in)';
      frame.srcdoc = '<p>meeting ' + options.roomName + '</p>';
      frame.style.width = '100%';
      frame.style.height = '100%';
      options.parentNode.appendChild(frame);
      this.frame = frame;
      window.__jitsiEmit = (name, payload) => (this.listeners[name] || []).forEach((l) => l(payload));
      setTimeout(() => window.__jitsiEmit('videoConferenceJoined', EVENTS.videoConferenceJoined), 100);
    }
    addListener(name, listener) { (this.listeners[name] = this.listeners[name] || []).push(listener); }
    executeCommand() {}
    dispose() { this.frame.remove(); window.__jitsi.disposed = true; }
  }
  window.JitsiMeetExternalAPI = JitsiMeetExternalAPI;
})();
`;

let product: Product | undefined;
let browser: Browser | undefined;
let admin: pg.Client | undefined;
let jitsi: Server | undefined;

async function cleanup(): Promise<void> {
  await browser?.close().catch(() => undefined);
  await admin?.end().catch(() => undefined);
  await new Promise((resolve) => (jitsi ? jitsi.close(resolve) : resolve(undefined)));
  await product?.stop();
}
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void cleanup().finally(() => process.exit(130));
  });
}

const decode = (jwt: string) =>
  JSON.parse(Buffer.from(jwt.split('.')[1] ?? '', 'base64url').toString('utf8')) as {
    room: string;
    exp: number;
    context: { user: Record<string, string> };
  };

try {
  const jitsiPort = await freePort();
  const scriptRequests: string[] = [];
  jitsi = createServer((req, res) => {
    scriptRequests.push(req.url ?? '');
    if (req.url === '/external_api.js') {
      res.writeHead(200, { 'content-type': 'application/javascript' });
      res.end(EXTERNAL_API);
    } else if (req.url === '/config.js') {
      // What every Jitsi Meet web server serves; the App registry's Test connection asks for it.
      res.writeHead(200, { 'content-type': 'application/javascript' });
      res.end("var config = { hosts: { domain: 'meet.jitsi' } };");
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => jitsi?.listen(jitsiPort, '127.0.0.1', resolve));
  const jitsiUrl = `http://127.0.0.1:${jitsiPort}`;

  product = await startProduct({
    skipBuild: process.env.E2E_SKIP_BUILD === '1',
    orchestratorEnv: {
      JITSI_URL: jitsiUrl,
      JITSI_APP_ID: 'afenda',
      JITSI_APP_SECRET: JITSI_SECRET,
    },
    // The Shell's policies name Jitsi's origin: its script, the call's camera and microphone.
    shellEnv: { JITSI_URL: jitsiUrl },
  });
  const { issuer, shellUrl, orchestratorUrl } = product;
  log(`e2e: everything is up (${product.setupMs} ms); Jitsi stand-in at ${jitsiUrl}`);

  admin = new pg.Client({ connectionString: product.superUrl });
  await admin.connect();
  const db = admin;
  const id = async (query: string, value: string) =>
    (await db.query<{ id: string }>(query, [value])).rows[0]?.id as string;
  const acme = await id("select id from tenants where slug = $1 and kind = 'organization'", 'acme');
  const uid = {
    alice: await id('select id from users where username = $1', 'alice'),
    aaron: await id('select id from users where username = $1', 'aaron'),
  };

  /** An access token from the provider (the test client's password grant). */
  const tokenFor = async (username: string) => {
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
    });
    if (!res.ok) throw new Error(`no token for ${username}: ${res.status} ${await res.text()}`);
    return ((await res.json()) as { access_token: string }).access_token;
  };
  const api = async (username: string, method: string, url: string, body?: object) => {
    const res = await fetch(`${orchestratorUrl}/api/v1${url}`, {
      method,
      headers: {
        authorization: `Bearer ${await tokenFor(username)}`,
        'x-tenant-id': acme,
        ...(body ? { 'content-type': 'application/json' } : {}),
      },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    const json = (await res.json()) as { data: { id: string } };
    assert(res.ok, `${method} ${url} as ${username}: ${res.status} ${JSON.stringify(json)}`);
    return json.data;
  };

  // A room opened by an approval (alice asks, ada approves: alice moderates), and one that expired.
  const TOPIC = 'Invoice <b>dispute</b>';
  const approval = await api('alice', 'POST', '/approvals/requests', {
    type: 'consultation_room',
    title: 'Call the customer',
    metadata: { participants: [uid.aaron], topic: TOPIC, durationMinutes: 30 },
    submit: true,
  });
  await api('ada', 'POST', `/approvals/${approval.id}/approve`, {});
  const openId = (
    await db.query<{ id: string }>('select id from rooms where approval_id = $1', [approval.id])
  ).rows[0]?.id as string;
  const expired = await api('ada', 'POST', '/rooms/consultation/create', {
    participants: [uid.alice],
    topic: 'Yesterday',
  });
  await db.query("update rooms set expires_at = now() - interval '1 minute' where id = $1", [
    expired.id,
  ]);

  await mkdir(ARTIFACTS, { recursive: true });
  browser = await launchChromium();
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page: Page = await context.newPage();
  page.setDefaultTimeout(20_000);
  const shot = (name: string) =>
    page.screenshot({ path: path.join(ARTIFACTS, `video-${name}.png`), animations: 'disabled' });

  await check('Meetings lists the rooms alice is in, with their state', async () => {
    await page.goto(`${shellUrl}/app/video`);
    await page.fill('#username', 'alice');
    await page.fill('#password', 'demo-alice');
    await page.click('button[type=submit]');
    await page.getByRole('heading', { name: 'Meetings' }).waitFor();
    const rooms = page.getByTestId('room');
    await rooms.first().waitFor();
    assertEqual(await rooms.count(), 2, 'rooms listed');
    const open = page.locator(`[data-room-id="${openId}"]`);
    assertEqual(await open.getAttribute('data-state'), 'open', 'state of the approved room');
    // Customer-written text is text: the topic's markup is shown, not rendered.
    assert((await open.innerText()).includes(TOPIC), 'the topic is not shown as text');
    assertEqual(
      await page.locator(`[data-room-id="${expired.id}"] [data-testid=room-state]`).innerText(),
      'Expired',
      'state of the expired room',
    );
    assertEqual(await page.getByTestId('jitsi-not-configured').count(), 0, 'not-configured card');
    await shot('list-light');
    await page.emulateMedia({ colorScheme: 'dark' });
    await waitForExpression(page, `document.documentElement.classList.contains('dark')`);
    await shot('list-dark');
    await page.emulateMedia({ colorScheme: 'light' });
  });

  await check("Join opens the meeting in the Shell with alice's own token", async () => {
    await page.locator(`[data-room-id="${openId}"]`).getByRole('link', { name: 'Join' }).click();
    await page.waitForURL(`${shellUrl}/app/video/${openId}`);
    await page.locator('[data-testid=jitsi-frame][data-phase=in-meeting]').waitFor();
    await page.frameLocator('[data-testid=jitsi-frame] iframe').locator('p').waitFor();
    assert(scriptRequests.includes('/external_api.js'), 'external_api.js was not loaded');
    const seen = (await page.evaluate('window.__jitsi')) as {
      domain: string;
      options: { roomName: string; jwt: string; userInfo: { displayName: string } };
    };
    assertEqual(seen.domain, `127.0.0.1:${jitsiPort}`, 'domain');
    assertEqual(seen.options.userInfo.displayName, 'Alice Nguyen', 'display name');
    const claims = decode(seen.options.jwt);
    assertEqual(claims.room, seen.options.roomName, 'token room');
    assertEqual(claims.context.user.id, uid.alice, 'token user');
    assertEqual(claims.context.user.moderator, 'true', 'alice moderates what she asked for');
    await shot('meeting-light');
  });

  await check(
    'hanging up (readyToClose) disposes of the meeting and returns to the list',
    async () => {
      await page.evaluate(`window.__jitsiEmit('readyToClose', null)`);
      await page.waitForURL(`${shellUrl}/app/video`);
      assertEqual(await page.evaluate('window.__jitsi.disposed'), true, 'disposed');
    },
  );

  await check(
    'an expired room says so and issues no token; an unknown one is not found',
    async () => {
      await page.goto(`${shellUrl}/app/video/${expired.id}`);
      await page.getByTestId('room-closed').getByText('This room has expired').waitFor();
      assertEqual(await page.locator('[data-testid=jitsi-frame]').count(), 0, 'meeting frame');
      // A room that isn't there, or that alice isn't in: the workspace's "not found" (streamed
      // after the loading state, so the status is already sent; the page says it).
      await page.goto(`${shellUrl}/app/video/00000000-0000-4000-8000-000000000000`);
      await page.getByText('This page isn’t here').waitFor();
      assertEqual(await page.locator('[data-testid=jitsi-frame]').count(), 0, 'frame, unknown');
    },
  );

  await check(
    'the room expiry job (run now, as an operator would) marks the expired room, once, on the timeline',
    async () => {
      // The job runs each minute on one replica; `npm run platform -- run` queues it now.
      const run = spawnSync(
        process.execPath,
        [
          '--import',
          'tsx',
          'apps/orchestrator/src/cli/afenda.ts',
          'platform',
          'run',
          'video.expire-rooms',
        ],
        {
          cwd: ROOT,
          // The embedded default's database, or the cluster's (E2E_CLUSTER=1).
          env: {
            ...process.env,
            DATA_DIR: product!.dataDir,
            DATABASE_URL: product!.cluster?.appUrl ?? '',
          },
          encoding: 'utf8',
        },
      );
      assertEqual(run.status, 0, `platform run exit status (${run.stderr.trim()})`);
      const deadline = Date.now() + 10_000;
      let status = '';
      while (Date.now() < deadline && status !== 'expired') {
        status =
          (
            await db.query<{ status: string }>('select status from rooms where id = $1', [
              expired.id,
            ])
          ).rows[0]?.status ?? '';
        await sleep(200);
      }
      assertEqual(status, 'expired', 'status after the expiry job');
      const entries = await db.query(
        "select 1 from activity_timeline where subject_id = $1 and type = 'room.expired'",
        [expired.id],
      );
      assertEqual(entries.rowCount, 1, 'room.expired entries');
    },
  );

  await check('the moderator ends the room; it shows as ended', async () => {
    await page.goto(`${shellUrl}/app/video`);
    page.once('dialog', (dialog) => void dialog.accept());
    await page.locator(`[data-room-id="${openId}"]`).getByRole('button', { name: /^End/ }).click();
    await page.locator(`[data-room-id="${openId}"][data-state=ended]`).waitFor();
    await shot('ended-light');
  });

  await check(
    "the owner's App registry: Meetings' Test connection signs a token and Jitsi answers",
    async () => {
      const owner = await browser!.newContext({ viewport: { width: 1280, height: 900 } });
      const ada = await owner.newPage();
      await ada.goto(`${shellUrl}/app/admin/apps`);
      await ada.fill('#username', 'ada');
      await ada.fill('#password', 'demo-ada');
      await ada.click('button[type=submit]');
      const card = ada
        .locator('#main')
        .getByTestId('app-registry')
        .locator('[data-module="video"]');
      await card.getByRole('button', { name: 'Test connection' }).click();
      const answer = card.getByTestId('connection-test-video');
      await answer
        .getByText(/Connected|Not connected|could not/)
        .waitFor()
        .catch(async () => {
          throw new Error(`no answer; the card says: ${await card.innerText()}`);
        });
      await card
        .getByTestId('connection-test-video')
        .getByText(
          `Connected. Jitsi Meet answered at ${jitsiUrl}; tokens are signed HS256 for app id “afenda” and verify with the configured key.`,
        )
        .waitFor();
      assert(scriptRequests.includes('/config.js'), 'Jitsi was not asked for /config.js');
      await ada.screenshot({ path: path.join(ARTIFACTS, 'video-app-registry-test.png') });
      await owner.close();
    },
  );
} catch (err) {
  setupFailed(err);
} finally {
  await cleanup();
}

await finish({ startedAt: started, screenshots: `${path.relative(ROOT, ARTIFACTS)}/` });
