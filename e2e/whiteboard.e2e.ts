/**
 * Two people on one whiteboard, in two browser contexts of Debian's Chromium: each draws a
 * shape and sees the other's appear, live, through tldraw's sync on the orchestrator; the
 * board is in PostgreSQL afterwards. Against the whole product started here (e2e/lib/product).
 *
 *   node --import tsx e2e/whiteboard.e2e.ts
 *
 * E2E_SKIP_BUILD=1   use the Shell build that is there (otherwise `turbo run build`, cached)
 * CHROMIUM_PATH      the browser (default /usr/bin/chromium; never a downloaded one)
 *
 * Screenshots go to e2e/artifacts/. Prints "N passed, N failed"; exits 1 on any failure.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import type { Browser, Page } from 'playwright-core';

import { assert, check, log, finish, setupFailed } from './lib/checks.ts';
import { launchChromium } from './lib/chromium.ts';
import { waitForExpression } from './lib/csp.ts';
import { ROOT, sleep } from './lib/processes.ts';
import { startProduct, type Product } from './lib/product.ts';

const ARTIFACTS = path.join(ROOT, 'e2e', 'artifacts');
const GEO = '.tl-shape[data-shape-type="geo"]';
const started = performance.now();

let product: Product | undefined;
let browser: Browser | undefined;
let admin: pg.Client | undefined;

async function cleanup(): Promise<void> {
  await browser?.close().catch(() => undefined);
  await admin?.end().catch(() => undefined);
  await product?.stop();
}
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void cleanup().finally(() => process.exit(130));
  });
}

try {
  product = await startProduct({ skipBuild: process.env.E2E_SKIP_BUILD === '1' });
  const { shellUrl, issuer, shell } = product;
  log(`e2e: everything is up (${product.setupMs} ms)`);
  admin = new pg.Client({ connectionString: product.superUrl });
  await admin.connect();
  const db = admin;
  await mkdir(ARTIFACTS, { recursive: true });
  browser = await launchChromium();

  /** A signed-in page of its own browser context (cookies not shared). */
  const signedIn = async (username: string): Promise<Page> => {
    const context = await browser!.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    page.setDefaultTimeout(20_000);
    await page.goto(`${shellUrl}/app/whiteboard`);
    await page.waitForURL((url) => url.href.startsWith(`${issuer}/login/`));
    await page.fill('#username', username);
    await page.fill('#password', `demo-${username}`);
    await page.click('button[type=submit]');
    await page.waitForURL(`${shellUrl}/app/whiteboard`);
    await page.getByRole('heading', { name: 'Whiteboards' }).waitFor();
    return page;
  };
  const shot = (p: Page, name: string) =>
    p.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), animations: 'disabled' });

  /** Draws a rectangle (r) or an ellipse (o) by dragging on the canvas, as a person would. */
  const draw = async (page: Page, key: 'r' | 'o', at: { x: number; y: number }) => {
    const canvas = page.locator('.tl-canvas');
    const box = await canvas.boundingBox();
    assert(box, 'no canvas');
    await page.mouse.click(box.x + box.width / 2, box.y + 40); // focus the editor (empty canvas)
    await page.keyboard.press(key);
    await page.mouse.move(box.x + at.x, box.y + at.y);
    await page.mouse.down();
    await page.mouse.move(box.x + at.x + 80, box.y + at.y + 60, { steps: 5 });
    await page.mouse.move(box.x + at.x + 160, box.y + at.y + 110, { steps: 5 });
    await page.mouse.up();
    await page.keyboard.press('Escape');
  };
  const shapes = (page: Page) => page.locator(GEO).count();
  const waitForShapes = (page: Page, n: number) =>
    waitForExpression(page, `document.querySelectorAll('${GEO}').length === ${n}`, {
      timeout: 15_000,
    });

  let alice!: Page;
  let ada!: Page;
  let boardUrl = '';

  await check('alice and ada sign in, each in a browser context of their own', async () => {
    [alice, ada] = await Promise.all([signedIn('alice'), signedIn('ada')]);
  });

  await check('alice creates a board and the tldraw editor opens on it', async () => {
    await alice.getByLabel('Title of the new board').fill('Refund flow (e2e)');
    await alice.getByRole('button', { name: 'New board' }).click();
    await alice.waitForURL(/\/app\/whiteboard\/[0-9a-f-]{36}$/);
    boardUrl = alice.url();
    await alice.getByTestId('whiteboard-title').waitFor();
    await alice.locator('.tl-canvas').waitFor();
  });

  await check('ada finds it in the list and opens it', async () => {
    await ada.reload();
    await ada.getByRole('link', { name: 'Refund flow (e2e)' }).click();
    await ada.waitForURL(boardUrl);
    await ada.locator('.tl-canvas').waitFor();
  });

  await check('alice draws a rectangle; ada sees it appear', async () => {
    await draw(alice, 'r', { x: 200, y: 150 });
    await waitForShapes(alice, 1);
    await waitForShapes(ada, 1);
  });

  await check('ada draws an ellipse; alice sees it appear', async () => {
    await draw(ada, 'o', { x: 500, y: 300 });
    await waitForShapes(ada, 2);
    await waitForShapes(alice, 2);
    await shot(alice, 'whiteboard-01-alice');
    await shot(ada, 'whiteboard-02-ada');
  });

  await check('the board with both shapes is in PostgreSQL', async () => {
    const id = boardUrl.split('/').at(-1);
    const deadline = Date.now() + 10_000;
    let count = 0;
    while (Date.now() < deadline) {
      const { rows } = await db.query<{ n: number }>(
        `select count(*)::int as n from whiteboards, jsonb_each(document->'store') as r(k, v)
          where id = $1 and v->>'typeName' = 'shape'`,
        [id],
      );
      count = rows[0]?.n ?? 0;
      if (count === 2) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    assert(count === 2, `expected 2 shapes stored, found ${count}`);
  });

  await check(
    'the history panel lists the versions; after a reload the shapes are still there',
    async () => {
      await alice.getByRole('button', { name: 'History' }).click();
      await alice.getByTestId('version-history').getByText('1. Created').waitFor();
      await ada.reload();
      await ada.locator('.tl-canvas').waitFor();
      await waitForShapes(ada, 2);
      assert((await shapes(alice)) === 2, 'alice lost a shape');
      await shot(alice, 'whiteboard-03-history');
    },
  );

  await check(
    'a kept version previews as a picture; restoring the first empties the board for both',
    async () => {
      const history = alice.getByTestId('version-history');
      await alice.getByRole('button', { name: 'Keep this version' }).click();
      await history.getByText('2. Kept').waitFor();
      await alice.getByRole('button', { name: 'Preview version 2' }).click();
      await history.locator('img').first().waitFor();
      await shot(alice, 'whiteboard-04-preview');
      await alice.getByRole('button', { name: 'Preview version 1' }).click();
      await history.getByText('An empty board.').waitFor();
      await alice.getByRole('button', { name: 'Restore this version' }).click();
      await waitForShapes(alice, 0);
      await waitForShapes(ada, 0);
    },
  );

  await check("the board follows the Shell's dark mode", async () => {
    await ada.emulateMedia({ colorScheme: 'dark' });
    await ada.locator('.tl-container.tl-theme__dark').waitFor();
    await draw(ada, 'r', { x: 300, y: 200 });
    await waitForShapes(alice, 1);
    await shot(ada, 'whiteboard-05-dark');
  });

  const cluster = product.cluster;
  if (cluster) {
    await check(
      'cluster: SIGKILL the replica holding the live board; what it saved is kept, and both editors carry on through another',
      async () => {
        const id = boardUrl.split('/').at(-1);
        // Saved: the live room writes the board back within WHITEBOARD_PERSIST_INTERVAL_MS.
        const saved = async () =>
          (
            await db.query<{ n: number }>(
              `select count(*)::int as n from whiteboards, jsonb_each(document->'store') as r(k, v)
                where id = $1 and v->>'typeName' = 'shape'`,
              [id],
            )
          ).rows[0]?.n ?? 0;
        for (let i = 0; i < 40 && (await saved()) !== 1; i++) await sleep(250);
        assert((await saved()) === 1, 'the shape was not saved before the kill');
        const live = async (i: number) => {
          const text = await fetch(`http://127.0.0.1:${cluster.ports.orchestrators[i]}/metrics`)
            .then((r) => r.text())
            .catch(() => '');
          return Number(/^afenda_whiteboard_live_boards (\d+)/m.exec(text)?.[1] ?? 0);
        };
        const counts = await Promise.all([0, 1, 2].map(live));
        const holder = counts.findIndex((n) => n > 0);
        assert(
          holder >= 0 && counts.filter((n) => n > 0).length === 1,
          `one replica should hold the board; live boards per replica: ${counts.join(', ')}`,
        );
        const killedAt = Date.now();
        await cluster.killOrchestrator(holder);
        // ada opens it again (another replica reads what was saved); alice's editor reconnects.
        await ada.reload();
        await ada.locator('.tl-canvas').waitFor();
        await waitForShapes(ada, 1);
        const keptMs = Date.now() - killedAt;
        // alice's editor reconnects by itself (a fresh ticket, through the proxy, to the board's
        // new replica); she draws as soon as it takes her strokes again, and ada sees them.
        const atLeast = (n: number) => `document.querySelectorAll('${GEO}').length >= ${n}`;
        for (let attempt = 1; ; attempt++) {
          await draw(alice, 'o', { x: 420 + attempt * 10, y: 320 });
          const through = await waitForExpression(ada, atLeast(2), { timeout: 3_000 }).then(
            () => true,
            () => false,
          );
          if (through) break;
          if (Date.now() - killedAt > 45_000) {
            await shot(alice, 'whiteboard-cluster-alice');
            const counts = await Promise.all([0, 1, 2].map(live));
            throw new Error(
              `alice's strokes never reached ada; live boards per replica: ${counts.join(', ')}; alice sees ${await shapes(alice)}, ada ${await shapes(ada)}`,
            );
          }
        }
        const liveMs = Date.now() - killedAt;
        const now = await Promise.all([0, 1, 2].map(live));
        assert(now[holder] === 0 && now.some((n) => n > 0), `live boards now: ${now.join(', ')}`);
        log(
          `recovery: whiteboard holder o${holder + 1} SIGKILLed: the saved board open again after ${keptMs} ms, both editors live again after ${liveMs} ms (on o${now.findIndex((n) => n > 0) + 1})`,
        );
        await cluster.startOrchestrator(holder);
      },
    );
  }

  await check('the Shell logged no unexpected error', async () => {
    const unexpected = shell.output.filter((line) => /error|fail|warn/i.test(line));
    assert(unexpected.length === 0, `the Shell said:\n${unexpected.slice(0, 10).join('\n')}`);
  });
} catch (err) {
  setupFailed(err);
} finally {
  await cleanup();
}

await finish({ startedAt: started, screenshots: `${path.relative(ROOT, ARTIFACTS)}/` });
