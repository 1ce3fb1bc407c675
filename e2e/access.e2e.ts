/**
 * The Access page (owners and admins of an organisation) in a real browser, against the whole
 * product started here (e2e/lib/product.ts). Matrix is "connected" (MATRIX_* set) to a closed
 * local port: its runs really fail, and the page must say so; the people × tools states and the
 * drift history are seeded in access_state (and a finished run in sync_runs) as the reconcile
 * writes them.
 *
 *   node --import tsx e2e/access.e2e.ts
 *
 * E2E_SKIP_BUILD=1   use the Shell build that is there (otherwise `turbo run build`, cached)
 * CHROMIUM_PATH      the browser (default /usr/bin/chromium; never a downloaded one)
 *
 * Screenshots go to docs/screenshots/access-*.png. Prints "N passed, N failed"; exits 1 on any
 * failure.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import type { Browser, BrowserContext, Page } from 'playwright-core';

import { axe, noSidewaysScroll } from './lib/axe.ts';
import { assert, assertEqual, check, log, finish, setupFailed } from './lib/checks.ts';
import { launchChromium, openMenu } from './lib/chromium.ts';
import { waitForExpression } from './lib/csp.ts';
import { ROOT, freePort, sleep } from './lib/processes.ts';
import { startProduct, type Product } from './lib/product.ts';

const SCREENSHOTS = path.join(ROOT, 'docs', 'screenshots');
const started = performance.now();
const SERVER_NAME = 'e2e.test';

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
  // Nothing listens here: every call to "Synapse" is refused.
  const closedPort = await freePort();
  product = await startProduct({
    skipBuild: process.env.E2E_SKIP_BUILD === '1',
    orchestratorEnv: {
      MATRIX_HOMESERVER_URL: `http://127.0.0.1:${closedPort}`,
      MATRIX_SERVER_NAME: SERVER_NAME,
      MATRIX_AS_TOKEN: 'e2e-matrix-as-token-0123456789',
      MATRIX_WEBHOOK_TOKEN: 'e2e-matrix-hs-token-0123456789',
    },
  });
  const { shellUrl, issuer } = product;
  log(
    `e2e: everything is up (${product.setupMs} ms); Matrix "connected" to closed port ${closedPort}`,
  );

  admin = new pg.Client({ connectionString: product.superUrl });
  await admin.connect();
  const db = admin;
  const one = async (query: string, values: unknown[]) =>
    (await db.query<{ id: string }>(query, values)).rows[0]?.id as string;
  const acme = await one("select id from tenants where slug = $1 and kind = 'organization'", [
    'acme',
  ]);
  const uid: Record<string, string> = {};
  for (const u of ['ada', 'arjun', 'alice', 'aaron', 'amelia'])
    uid[u] = await one('select id from users where username = $1', [u]);
  const subject = (u: string) => `@${u}:${SERVER_NAME} in Acme Corp`;

  // What the reconcile writes (access_state), one person per state; amelia has nothing yet.
  const seed = [
    ['ada', 'member (power 50)', 'member (power 50)', 'in_sync', null, null, null],
    [
      'arjun',
      'member (power 50)',
      'member (power 50)',
      'repaired',
      "now() - interval '5 minutes'",
      'member (power 100)',
      null,
    ],
    ['alice', 'member (power 0)', null, 'pending', null, null, null],
    ['aaron', 'member (power 0)', 'invited', 'failing', null, null, 'Synapse answered 502'],
  ] as const;
  for (const [u, desired, actual, status, driftedAt, driftWas, error] of seed)
    await db.query(
      `insert into access_state (tenant_id, tool, subject, user_id, desired, actual, status, drifted_at, drift_was, error)
       values ($1, 'matrix', $2, $3, $4, $5, $6, ${driftedAt ?? 'null'}, $7, $8)`,
      [acme, subject(u), uid[u], desired, actual, status, driftWas, error],
    );
  // A run that finished earlier (sync_runs has row-level security: written as the superuser).
  await db.query(
    `insert into sync_runs (trigger, source, subject, status, started_at, finished_at, result)
     values ('schedule', 'access:matrix', $1, 'succeeded', now() - interval '10 minutes',
             now() - interval '10 minutes' + interval '2 seconds', '{"checked": 4, "changed": 1, "failed": 0}')`,
    [acme],
  );
  // The runs at start (after the directory sync) go to the closed port and fail: wait for one.
  let failure: { error: string } | undefined;
  for (const deadline = Date.now() + 30_000; !failure && Date.now() < deadline; await sleep(250))
    failure = (
      await db.query<{ error: string }>(
        `select error from sync_runs where source = 'access:matrix' and subject = $1
           and status = 'failed' order by started_at desc limit 1`,
        [acme],
      )
    ).rows[0];
  assert(failure, 'no failed Matrix run against the closed port within 30 s');
  log(`e2e: the Matrix runs fail as they should: ${failure.error}`);

  await mkdir(SCREENSHOTS, { recursive: true });
  browser = await launchChromium();
  const signIn = async (username: string): Promise<{ context: BrowserContext; page: Page }> => {
    const context = await browser!.newContext({
      viewport: { width: 1280, height: 900 },
      colorScheme: 'light',
    });
    const page = await context.newPage();
    page.setDefaultTimeout(20_000);
    await page.goto(`${shellUrl}/app`);
    await page.waitForURL((url) => url.href.startsWith(issuer));
    await page.fill('#username', username);
    await page.fill('#password', `demo-${username}`);
    await page.click('#kc-login, button[type=submit]');
    await page.waitForURL(`${shellUrl}/app`);
    await page.getByTestId('tenant-switcher').waitFor();
    return { context, page };
  };
  const shot = (page: Page, name: string) =>
    page.screenshot({
      path: path.join(SCREENSHOTS, `access-${name}.png`),
      animations: 'disabled',
      fullPage: true,
    });

  const ada = await signIn('ada');
  const page = ada.page;

  await check(
    'the owner finds Access in the navigation; the matrix shows the seeded states',
    async () => {
      await page
        .getByRole('navigation', { name: 'Modules' })
        .getByRole('link', { name: 'Access' })
        .click();
      await page.waitForURL(`${shellUrl}/app/access`);
      await page.getByRole('heading', { name: 'Access', level: 1 }).waitFor();
      const states: Record<string, string | null> = {};
      for (const u of ['ada', 'arjun', 'alice', 'aaron', 'amelia']) {
        const cell = page.locator(
          `[data-testid=access-person][data-user=${u}] td[data-tool=matrix]`,
        );
        states[u] = await cell.locator('[data-status]').first().getAttribute('data-status');
      }
      assertEqual(
        states,
        {
          ada: 'in_sync',
          arjun: 'repaired',
          alice: 'pending',
          aaron: 'failing',
          amelia: 'unchecked',
        },
        'Matrix column',
      );
      const row = (u: string) => page.locator(`#main [data-testid=access-person][data-user=${u}]`);
      assertEqual(await row('ada').getByTestId('access-role').innerText(), 'Owner', "ada's role");
      assertEqual(
        await row('arjun').getByTestId('access-role').innerText(),
        'Admin',
        "arjun's role",
      );
      assertEqual(
        await row('alice').getByTestId('access-role').innerText(),
        'Member',
        "alice's role",
      );
      // A failing cell says why when opened (and on hover, in its title).
      const failing = row('aaron').locator('td[data-tool=matrix]');
      await failing.locator('summary').click();
      assertEqual(
        await failing.getByTestId('access-error').innerText(),
        'Synapse answered 502',
        "aaron's error",
      );
    },
  );

  await check(
    'the Matrix card: prevented by its own rules, connected, its last run failing with the error',
    async () => {
      const card = page.locator('#main [data-testid=access-tool][data-tool=matrix]');
      assertEqual(await card.getAttribute('data-configured'), 'true', 'configured');
      assert(
        (await card.innerText()).includes("Prevented by Matrix's own rules"),
        'the guard is not said',
      );
      assertEqual(await card.getAttribute('data-run'), 'failed', 'last run status');
      assertEqual(
        await card.getByTestId('access-run-error').innerText(),
        failure!.error,
        'last run error',
      );
      await shot(page, 'owner-1280');
    },
  );

  await check(
    'the drift history shows what Matrix had (power 100) and what it has now',
    async () => {
      const entries = page.locator('#main').getByTestId('access-drift-entry');
      assertEqual(await entries.count(), 1, 'drift entries');
      const text = await entries.first().innerText();
      assert(text.includes(subject('arjun')), `drift entry: ${text}`);
      assert(
        /was member \(power 100\)\s*→ now member \(power 50\)/.test(text),
        `drift entry: ${text}`,
      );
    },
  );

  await check(
    "a person's report lists each subject: what Keycloak grants vs what the tool has",
    async () => {
      await page.locator('[data-testid=access-person][data-user=aaron] a').click();
      await page.waitForURL(`${shellUrl}/app/access/people/${uid.aaron}`);
      const line = page.locator(
        '[data-testid=access-report-tool][data-tool=matrix] [data-testid=access-subject]',
      );
      await line.first().waitFor();
      assertEqual(await line.count(), 1, 'subjects of aaron');
      await page.setViewportSize({ width: 390, height: 844 });
      assert(await noSidewaysScroll(page), 'the report scrolls sideways at 390 px');
      await shot(page, 'report-390');
      await page.setViewportSize({ width: 1280, height: 900 });
      const text = await line.innerText();
      for (const part of [subject('aaron'), 'member (power 0)', 'invited', 'Failing'])
        assert(text.includes(part), `the report line lacks ${part}: ${text}`);
      await page.getByRole('link', { name: 'Access' }).first().click();
      await page.waitForURL(`${shellUrl}/app/access`);
    },
  );

  await check('Sync now answers: queued, then the new (manual) run shows on the card', async () => {
    await page.getByRole('button', { name: 'Sync now', exact: true }).click();
    const status = page.locator('#main').getByTestId('access-sync-status').first();
    await status.filter({ hasText: /Queued 1 run/ }).waitFor();
    // The run is real: against the closed port it fails, and the card says so after a refresh.
    await page
      .locator('#main [data-testid=access-tool][data-tool=matrix] [data-testid=access-last-run]')
      .filter({ hasText: 'Sync now' })
      .waitFor({ timeout: 30_000 });
    const manual = await db.query(
      "select 1 from sync_runs where source = 'access:matrix' and subject = $1 and trigger = 'manual'",
      [acme],
    );
    assert((manual.rowCount ?? 0) >= 1, 'no manual run recorded');
  });

  await check(
    'axe-core: no serious or critical violation (light and dark, page and report)',
    async () => {
      const problems: string[] = [];
      for (const scheme of ['light', 'dark'] as const) {
        await page.emulateMedia({ colorScheme: scheme });
        for (const p of ['/app/access', `/app/access/people/${uid.arjun}`]) {
          await page.goto(`${shellUrl}${p}`);
          await page.locator('main h1').first().waitFor();
          if (scheme === 'dark')
            await waitForExpression(page, `document.documentElement.classList.contains('dark')`);
          problems.push(...(await axe(page)).map((v) => `${scheme} ${p}: ${v}`));
        }
      }
      await page.emulateMedia({ colorScheme: 'light' });
      assert(problems.length === 0, problems.join('\n'));
    },
  );

  await check('at 390 px: no sideways scroll; the matrix scrolls in its own box', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    for (const p of ['/app/access', `/app/access/people/${uid.arjun}`]) {
      await page.goto(`${shellUrl}${p}`);
      await page.locator('main h1').first().waitFor();
      assert(await noSidewaysScroll(page), `${p} scrolls sideways`);
    }
    await page.goto(`${shellUrl}/app/access`);
    // Next streams the page: until its script swaps it in, a hidden copy sits outside #main.
    await page.locator('#main').getByTestId('access-matrix').waitFor();
    await shot(page, 'owner-390');
    await page.setViewportSize({ width: 1280, height: 900 });
  });

  await check(
    'in her personal tenant the owner is told Access is per organisation, and switches',
    async () => {
      await page.goto(`${shellUrl}/app/access`);
      const personal = page.getByRole('menuitemradio', { name: /Ada Okafor/ });
      await openMenu(page.getByTestId('tenant-switcher'), personal);
      await personal.click();
      await page.getByTestId('tenant-switcher').filter({ hasText: 'Ada Okafor' }).waitFor();
      await page
        .getByTestId('access-per-organisation')
        .filter({ hasText: 'switch to Acme Corp' })
        .waitFor();
      await page.getByRole('button', { name: 'Switch to Acme Corp' }).click();
      await page.locator('#main').getByTestId('access-matrix').waitFor();
    },
  );

  const alice = await signIn('alice');
  await check(
    'a member: no Access in the navigation, and the page says only owners and admins',
    async () => {
      const p = alice.page;
      const nav = p.getByRole('navigation', { name: 'Modules' });
      await nav.getByRole('link', { name: /^Home/ }).waitFor();
      assertEqual(
        await nav.getByRole('link', { name: 'Access' }).count(),
        0,
        'Access links for alice',
      );
      await p.goto(`${shellUrl}/app/access`);
      // Within #main: while Next streams the page, a hidden copy can sit outside it.
      const main = p.locator('#main');
      await main.getByTestId('access-forbidden').waitFor();
      assertEqual(await main.getByText('Only owners and admins').count(), 1, 'the state');
      assertEqual(await p.getByTestId('access-matrix').count(), 0, 'a matrix for alice');
      assertEqual(await p.getByRole('button', { name: /Sync/ }).count(), 0, 'Sync for alice');
      await shot(p, 'member-1280');
    },
  );
} catch (err) {
  setupFailed(err);
} finally {
  await cleanup();
}

await finish({
  startedAt: started,
  screenshots: `${path.relative(ROOT, SCREENSHOTS)}/access-*.png`,
});
