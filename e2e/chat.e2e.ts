/**
 * The Team chat page (/app/chat) in a real browser, against the whole product started here
 * (e2e/lib/product.ts) and a stand-in Element: a local page that shows the room it was
 * deep-linked to. Neither Element nor Synapse runs here: the orchestrator is told Matrix's
 * settings (its homeserver a closed port) and the rooms its bot would have made are written
 * into chat_rooms directly. A second run of the product, without Matrix, shows the Setup state.
 *
 *   node --import tsx e2e/chat.e2e.ts
 *
 * E2E_SKIP_BUILD=1   use the Shell build that is there (otherwise `turbo run build`, cached)
 * CHROMIUM_PATH      the browser (default /usr/bin/chromium; never a downloaded one)
 *
 * Screenshots go to docs/screenshots/chat-*.png. Prints "N passed, N failed"; exits 1 on any
 * failure.
 */
import { mkdir, readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { createRequire } from 'node:module';
import path from 'node:path';
import pg from 'pg';
import type { Browser, Page } from 'playwright-core';

import { assert, assertEqual, check, log, finish, setupFailed } from './lib/checks.ts';
import { launchChromium } from './lib/chromium.ts';
import { signInAtDevIdp } from './lib/sign-in.ts';
import { ROOT, freePort } from './lib/processes.ts';
import { startProduct, type Product } from './lib/product.ts';

const SCREENSHOTS = path.join(ROOT, 'docs', 'screenshots');
const started = performance.now();
const require = createRequire(import.meta.url);
const AXE_SOURCE = await readFile(require.resolve('axe-core/axe.min.js'), 'utf8');
const MATRIX_ENV = {
  MATRIX_SERVER_NAME: 'e2e.example',
  MATRIX_AS_TOKEN: 'e2e-matrix-as-token-0123456789',
  MATRIX_WEBHOOK_TOKEN: 'e2e-matrix-hs-token-0123456789',
};
const EXCERPT = 'Ship it <b>today</b> & tell <script>support</script>';

/** The stand-in Element: says which room the deep link (#/room/<id>) asked for. */
const ELEMENT_PAGE = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Element (stand-in)</title></head>
<body><main><h1>Element (stand-in)</h1><p id="room"></p></main>
<script>document.getElementById('room').textContent = decodeURIComponent(location.hash);</script></body></html>`;

let product: Product | undefined;
let browser: Browser | undefined;
let admin: pg.Client | undefined;
let element: Server | undefined;

async function cleanup(): Promise<void> {
  await browser?.close().catch(() => undefined);
  await admin?.end().catch(() => undefined);
  await new Promise((resolve) => (element ? element.close(resolve) : resolve(undefined)));
  await product?.stop();
}
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void cleanup().finally(() => process.exit(130));
  });
}

/** axe-core in the page: serious and critical violations, as readable lines. */
async function axe(page: Page): Promise<string[]> {
  await page.addScriptTag({ content: AXE_SOURCE });
  const violations = await page.evaluate<{ id: string; impact: string | null; help: string }[]>(
    `axe.run(document, { resultTypes: ['violations'] }).then((r) =>
      r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help })))`,
  );
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.impact} ${v.id}: ${v.help}`);
}

// Next streams pages: until its script swaps the content in, a hidden copy sits outside #main,
// so every lookup is scoped to #main.
const noSidewaysScroll = (page: Page) =>
  page.evaluate<boolean>('document.documentElement.scrollWidth <= window.innerWidth');

/** A browser context signed in as `username` (the development provider's form). */
async function signIn(shellUrl: string, username: string, width = 1280): Promise<Page> {
  const context = await browser!.newContext({
    viewport: { width, height: 844 },
    colorScheme: 'light',
  });
  const page = await context.newPage();
  page.setDefaultTimeout(30_000);
  await signInAtDevIdp(page, `${shellUrl}/app/chat`, username);
  await page.getByRole('heading', { name: 'Team chat', level: 1 }).waitFor();
  return page;
}

const shot = (page: Page, name: string) =>
  page.screenshot({ path: path.join(SCREENSHOTS, `chat-${name}.png`), animations: 'disabled' });

try {
  await mkdir(SCREENSHOTS, { recursive: true });
  const elementPort = await freePort();
  element = createServer((req, res) => {
    res.writeHead(req.url === '/' ? 200 : 404, { 'content-type': 'text/html; charset=utf-8' });
    res.end(req.url === '/' ? ELEMENT_PAGE : '');
  });
  await new Promise<void>((resolve) => element?.listen(elementPort, '127.0.0.1', resolve));
  const elementUrl = `http://127.0.0.1:${elementPort}`;

  // ---- Matrix connected, Element at the stand-in ---------------------------------------------
  product = await startProduct({
    skipBuild: process.env.E2E_SKIP_BUILD === '1',
    orchestratorEnv: {
      ...MATRIX_ENV,
      // Nothing listens there: calls into Synapse wait in the outbox; the page doesn't need them.
      MATRIX_HOMESERVER_URL: `http://127.0.0.1:${await freePort()}`,
      ELEMENT_URL: elementUrl,
    },
  });
  log(`e2e: everything is up (${product.setupMs} ms); Element stand-in at ${elementUrl}`);
  const { shellUrl } = product;

  admin = new pg.Client({ connectionString: product.superUrl });
  await admin.connect();
  const db = admin;
  const tenantId = async (slug: string, kind: string) =>
    (
      await db.query<{ id: string }>('select id from tenants where slug = $1 and kind = $2', [
        slug,
        kind,
      ])
    ).rows[0]?.id as string;
  const acme = await tenantId('acme', 'organization');
  const support = await tenantId('support', 'team');
  const roles = await db.query<{ username: string; role: string }>(
    'select u.username, ut.role from user_tenants ut join users u on u.id = ut.user_id where ut.tenant_id = $1',
    [acme],
  );
  const role = (u: string) => roles.rows.find((r) => r.username === u)?.role;
  assertEqual([role('ada'), role('alice')], ['owner', 'member'], 'roles in Acme');

  // The rooms the orchestrator's bot would have made: Acme's space and room, Support's room.
  const seeded = await db.query<{ id: string; kind: string }>(
    `insert into chat_rooms (tenant_id, room_id, kind, org_tenant_id, name, last_event_at, last_sender, last_excerpt)
     values ($1, '!space:e2e.example', 'space', $1, 'Acme Corp', null, null, null),
            ($1, '!acme:e2e.example', 'org', $1, 'Acme Corp', now() - interval '5 minutes', '@alice:e2e.example', $3),
            ($2, '!support:e2e.example', 'team', $1, 'Support', now() - interval '3 days', '@aaron:e2e.example', 'Morning all')
     returning id, kind`,
    [acme, support, EXCERPT],
  );
  const roomOf = (kind: string) => seeded.rows.find((r) => r.kind === kind)?.id as string;

  browser = await launchChromium();
  const ada = await signIn(shellUrl, 'ada');

  await check(
    'the room list: the space explained, the room with its last activity, as text',
    async () => {
      const rooms = ada.locator('#main').getByTestId('chat-room');
      await rooms.first().waitFor();
      assertEqual(
        await rooms.evaluateAll((els) => els.map((e) => e.getAttribute('data-kind'))),
        ['org', 'space'],
        'rooms in the order the API gives',
      );
      const org = ada.locator(`[data-room-id="${roomOf('org')}"]`);
      const activity = org.getByTestId('last-activity');
      const text = await activity.innerText();
      assert(text.includes('@alice:e2e.example'), `sender missing: ${text}`);
      // The excerpt is inert text: its markup is shown, never rendered or run.
      assert(text.includes(EXCERPT), `excerpt not shown as text: ${text}`);
      assertEqual(await org.locator('b, script').count(), 0, 'elements from the excerpt');
      assert(text.includes('5 min ago'), `relative time missing: ${text}`);
      const title = await activity.locator('time').getAttribute('title');
      assert(title && / UTC$/.test(title), `exact time on hover: ${title}`);
      const space = ada.locator(`[data-room-id="${roomOf('space')}"]`);
      assert((await space.innerText()).includes("organisation's space"), 'the space is explained');
      assertEqual(
        await org.getByRole('link', { name: 'Open in Element' }).getAttribute('href'),
        `${elementUrl}/#/room/${encodeURIComponent('!acme:e2e.example')}`,
        'Open in Element',
      );
      assertEqual(
        await ada.locator('#main').getByTestId('matrix-not-configured').count(),
        0,
        'setup card',
      );
      assertEqual(
        await ada.locator('#main').getByTestId('element-not-configured').count(),
        0,
        'Element card',
      );
      assertEqual(await axe(ada), [], 'axe-core, the list');
      await shot(ada, 'list-1280');
    },
  );

  await check('opening a room shows Element in the Shell, deep-linked to the room', async () => {
    await ada
      .locator(`[data-room-id="${roomOf('org')}"]`)
      .getByRole('link', { name: 'Open', exact: true })
      .click();
    await ada.waitForURL(`${shellUrl}/app/chat/${roomOf('org')}`);
    const frame = ada.locator('#main').getByTestId('element-embed').locator('iframe');
    await frame.waitFor();
    assertEqual(
      await frame.getAttribute('src'),
      `${elementUrl}/#/room/${encodeURIComponent('!acme:e2e.example')}`,
      'the frame deep-links to the room',
    );
    await ada
      .frameLocator('#main [data-testid=element-embed] iframe')
      .getByText('#/room/!acme:e2e.example')
      .waitFor();
    assertEqual(await ada.locator('#main').getByTestId('embed-fallback').count(), 0, 'fallback');
    assert(
      (await ada.getByRole('link', { name: 'Open in Element' }).getAttribute('href'))?.startsWith(
        elementUrl,
      ),
      'Open in Element on the room page',
    );
    assertEqual(await axe(ada), [], 'axe-core, the room');
    await shot(ada, 'room-1280');
  });

  await check('a room of another tenant, or none, is not found', async () => {
    await ada.goto(`${shellUrl}/app/chat/${roomOf('team')}`);
    await ada.getByText('This page isn’t here').waitFor();
    await ada.goto(`${shellUrl}/app/chat/00000000-0000-4000-8000-000000000000`);
    await ada.getByText('This page isn’t here').waitFor();
    assertEqual(await ada.locator('iframe').count(), 0, 'frames');
  });

  await check(
    'the homeserver not answering: the owner is told since when and why, the rooms stay listed',
    async () => {
      // MATRIX_HOMESERVER_URL is a closed port: the reconcile at start fails and the status says so.
      const deadline = Date.now() + 30_000;
      for (;;) {
        await ada.goto(`${shellUrl}/app/chat`);
        if (
          (await ada.locator('#main').getByTestId('matrix-failing').count()) > 0 ||
          Date.now() > deadline
        )
          break;
        await ada.waitForTimeout(1_000);
      }
      const notice = await ada.locator('#main').getByTestId('matrix-failing').innerText();
      assert(notice.includes("isn't answering") && /first failure [^)]*ago\)/.test(notice), notice);
      assert(
        (await ada.locator('#main').getByTestId('chat-room').count()) === 2,
        'rooms listed meanwhile',
      );
      await shot(ada, 'failing-1280');
    },
  );

  await check('at 390 px: the list and a room without sideways scroll', async () => {
    const alice = await signIn(shellUrl, 'alice', 390);
    await alice.locator('#main').getByTestId('chat-room').first().waitFor();
    assert(await noSidewaysScroll(alice), '/app/chat scrolls sideways');
    await shot(alice, 'list-390');
    await alice.goto(`${shellUrl}/app/chat/${roomOf('org')}`);
    await alice.locator('#main').getByTestId('element-embed').locator('iframe').waitFor();
    assert(await noSidewaysScroll(alice), 'the room scrolls sideways');
    await shot(alice, 'room-390');
    await alice.context().close();
  });

  // ---- Matrix not connected -------------------------------------------------------------------
  await browser.close();
  browser = undefined;
  await admin.end();
  admin = undefined;
  await product.stop();
  product = await startProduct({ skipBuild: true });
  log(`e2e: the product without Matrix is up (${product.setupMs} ms)`);
  browser = await launchChromium();
  const unconnected = product.shellUrl;

  await check(
    'not connected, an owner sees exactly what is missing and where the steps are',
    async () => {
      const page = await signIn(unconnected, 'ada');
      const card = page.locator('#main').getByTestId('matrix-not-configured');
      await card.waitFor();
      assertEqual(
        await page.locator('#main').getByTestId('matrix-missing').locator('li').allInnerTexts(),
        ['MATRIX_HOMESERVER_URL', 'MATRIX_SERVER_NAME', 'MATRIX_AS_TOKEN', 'MATRIX_WEBHOOK_TOKEN'],
        'missing variables',
      );
      const text = await card.innerText();
      assert(text.includes('npx afenda connect matrix') && text.includes('docs/chat.md'), text);
      assertEqual(await page.locator('#main').getByTestId('chat-room').count(), 0, 'rooms');
      assertEqual(await axe(page), [], 'axe-core, the setup state');
      await shot(page, 'setup-admin-1280');
      await page.context().close();
    },
  );

  await check('not connected, a member is told to ask an administrator, nothing more', async () => {
    const page = await signIn(unconnected, 'alice', 390);
    const card = page.locator('#main').getByTestId('matrix-not-configured');
    await card.waitFor();
    const text = await card.innerText();
    assert(text.includes("Team chat isn't connected yet"), text);
    assert(text.includes('ask an administrator') || text.includes('Ask an administrator'), text);
    assert(!/MATRIX_|npm run|docs\//.test(text), `configuration shown to a member: ${text}`);
    assert(await noSidewaysScroll(page), 'the setup state scrolls sideways');
    await shot(page, 'setup-member-390');
    await page.context().close();
  });
} catch (err) {
  setupFailed(err);
} finally {
  await cleanup();
}

await finish({ startedAt: started, screenshots: `${path.relative(ROOT, SCREENSHOTS)}/chat-*.png` });
