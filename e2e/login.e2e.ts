/**
 * Sign-in, tenant switching, sign-out and back-channel logout in a real browser, against the
 * whole product started here on free ports with a fresh data folder: the development OpenID
 * provider, the orchestrator (embedded PostgreSQL, demo data) and the Shell (`next start`).
 *
 *   node --import tsx e2e/login.e2e.ts
 *
 * E2E_SKIP_BUILD=1   use the Shell build that is there (otherwise `turbo run build`, cached)
 * E2E_REDIS_URL=...  keep the Shell's sessions in this Redis instead of PostgreSQL (the checks
 *                    that look into the sessions table are then left out)
 * CHROMIUM_PATH      the browser (default /usr/bin/chromium; never a downloaded one)
 *
 * Screenshots (light and dark) go to e2e/artifacts/. Prints "N passed, N failed"; exits 1 on
 * any failure.
 */
import { createHash } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import type { Browser, BrowserContext, Page } from 'playwright-core';

import { assert, assertEqual, check, log, finish, setupFailed } from './lib/checks.ts';
import { launchChromium, openMenu } from './lib/chromium.ts';
import { waitForExpression } from './lib/csp.ts';
import { ROOT, sleep } from './lib/processes.ts';
import { startProduct, type Product } from './lib/product.ts';

const ARTIFACTS = path.join(ROOT, 'e2e', 'artifacts');
const ACCESS_TOKEN_LIFESPAN_S = 62;
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

const timings: Record<string, number> = {};

try {
  // Access tokens for 62 s: the Shell refreshes within 60 s of expiry, so from 2 s after a
  // sign-in every request goes through the refresh (and the provider's refresh token rotation).
  product = await startProduct({
    redisUrl: process.env.E2E_REDIS_URL,
    skipBuild: process.env.E2E_SKIP_BUILD === '1',
    accessTokenLifespanS: ACCESS_TOKEN_LIFESPAN_S,
  });
  const { issuer, shellUrl, shell, orchestratorUrl } = product;
  timings.setupMs = product.setupMs;
  log(
    `e2e: everything is up (${timings.setupMs} ms) in ${product.dataDir}; sessions in ${process.env.E2E_REDIS_URL ? 'Redis' : 'PostgreSQL'}`,
  );

  // Underneath row-level security (as the superuser): what the sessions table really holds.
  const inPostgres = !process.env.E2E_REDIS_URL;
  admin = new pg.Client({ connectionString: product.superUrl });
  await admin.connect();
  const db = admin;
  const sessionRow = async (cookie: string) =>
    (
      await db.query<{
        data: string;
        keycloak_sid: string | null;
        created_at: Date;
        updated_at: Date;
      }>(
        'SELECT data::text AS data, keycloak_sid, created_at, updated_at FROM shell_sessions WHERE id_hash = $1',
        [createHash('sha256').update(cookie).digest('hex')],
      )
    ).rows[0];

  await mkdir(ARTIFACTS, { recursive: true });
  browser = await launchChromium();
  const context: BrowserContext = await browser.newContext({
    viewport: { width: 1280, height: 800 },
    colorScheme: 'light',
  });
  const page: Page = await context.newPage();
  page.setDefaultTimeout(20_000);
  const shot = async (p: Page, name: string) => {
    await p.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), animations: 'disabled' });
  };
  const theme = async (scheme: 'light' | 'dark') => {
    await page.emulateMedia({ colorScheme: scheme });
    // next-themes follows the system preference (the default): wait for its class on <html>.
    await waitForExpression(
      page,
      `document.documentElement.classList.contains('dark') === ${scheme === 'dark'}`,
    );
  };
  const onLoginPage = (url: URL) => url.href.startsWith(`${issuer}/login/`);
  const sessionCookie = async () =>
    (await context.cookies(shellUrl)).find((c) => c.name === 'afenda_session');
  const signInAs = async (username: string) => {
    await page.fill('#username', username);
    await page.fill('#password', `demo-${username}`);
    await page.click('button[type=submit]');
  };

  // ---- signed out ----------------------------------------------------------------------

  await check('the home page offers "Sign in" when signed out', async () => {
    await page.goto(`${shellUrl}/`);
    await page.getByRole('link', { name: 'Sign in' }).waitFor();
    await page.getByTestId('product-features').waitFor();
    // The product, not its plumbing: no version, readiness or API address for visitors.
    const text = (await page.locator('body').textContent()) ?? '';
    for (const internal of ['Orchestrator', 'Ready', 'version', orchestratorUrl, '/api/v1']) {
      assert(!text.includes(internal), `the home page shows "${internal}"`);
    }
    await shot(page, '01-home-signed-out-light');
    await theme('dark');
    await shot(page, '02-home-signed-out-dark');
    await theme('light');
  });

  let loginPageReached = 0;
  let signedInAt = 0;
  await check(
    'an unauthenticated visit to /app/somewhere?x=1 goes to the sign-in page',
    async () => {
      const t0 = performance.now();
      await page.goto(`${shellUrl}/app/somewhere?x=1`);
      await page.waitForURL(onLoginPage);
      await page.locator('#password').waitFor();
      loginPageReached = performance.now();
      timings.toLoginPageMs = Math.round(loginPageReached - t0);
      assert(
        (await page.textContent('body'))?.includes('Axis Afenda Shell'),
        'the sign-in page does not name the Shell',
      );
      await shot(page, '03-idp-sign-in');
    },
  );

  await check('signing in as alice comes back to /app/somewhere?x=1', async () => {
    const t0 = performance.now();
    await signInAs('alice');
    await page.waitForURL(`${shellUrl}/app/somewhere?x=1`);
    await page.getByTestId('user-name').waitFor();
    timings.callbackToPageMs = Math.round(performance.now() - t0);
    signedInAt = Date.now();
    timings.loginRoundTripMs = (timings.toLoginPageMs ?? 0) + timings.callbackToPageMs;
    assertEqual(await page.getByTestId('user-name').textContent(), 'Alice Nguyen', 'user name');
    await page.getByText('This page isn’t here').waitFor();
    await shot(page, '04-workspace-not-found-light');
  });

  await check('the browser holds only an httpOnly, SameSite=Lax session id cookie', async () => {
    const cookies = await context.cookies(shellUrl);
    const session = cookies.find((c) => c.name === 'afenda_session');
    assert(session, 'no afenda_session cookie');
    assert(session.httpOnly, 'the session cookie is not httpOnly');
    assertEqual(session.sameSite, 'Lax', 'SameSite');
    assertEqual(session.path, '/', 'path');
    assert(/^[A-Za-z0-9_-]{43}$/.test(session.value), 'the cookie is not a bare 32-byte id');
    assert(!cookies.some((c) => c.name === 'afenda_login'), 'the login cookie was not cleared');
    assert(!cookies.some((c) => c.value.includes('eyJ')), 'a cookie holds a JWT');
    assert(
      !(await page.evaluate<string>('document.cookie')).includes('afenda_session'),
      'scripts can read the session cookie',
    );
    if (inPostgres) {
      const row = await sessionRow(session.value);
      assert(row, 'no session row under the hash of the cookie');
      assert(row.keycloak_sid, 'the session row has no Keycloak sid');
      // A JWT's header and payload, dot-separated (sealed data is base64 without dots: a bare
      // "eyJ" turns up in its ciphertext about once in a hundred sessions).
      assert(!/eyJ[\w-]*\.[\w-]+\./.test(row.data), 'the session row holds a readable token');
      assert(!row.data.includes(session.value), 'the session row holds the id');
    }
  });

  await check('the home page offers "Open workspace" when signed in', async () => {
    await page.goto(`${shellUrl}/`);
    await page.getByRole('link', { name: 'Open workspace' }).waitFor();
    await shot(page, '05-home-signed-in-light');
  });

  // ---- tenants -------------------------------------------------------------------------

  await check(
    'the tenant switcher lists the personal tenant, Acme and its Support team',
    async () => {
      await page.goto(`${shellUrl}/app`);
      await page.getByRole('heading', { name: 'Welcome, Alice Nguyen' }).waitFor();
      assertEqual(
        await page.getByTestId('active-tenant-name').textContent(),
        'Acme Corp',
        'default tenant',
      );
      assertEqual(
        await page.getByTestId('active-tenant-role').textContent(),
        'Member',
        'role in Acme',
      );
      await shot(page, '06-app-light');
      const items = page.getByRole('menuitemradio');
      await openMenu(page.getByTestId('tenant-switcher'), items);
      const texts = (await items.allInnerTexts()).map((t) => t.replace(/\s+/g, ' ').trim());
      assertEqual(
        texts,
        ['Alice Nguyen Owner', 'Acme Corp Member', 'Support Member'],
        'tenants in the switcher',
      );
      assertEqual(
        await page
          .getByRole('menuitemradio', { checked: true })
          .innerText()
          .then((t) => t.split('\n')[0]),
        'Acme Corp',
        'checked tenant',
      );
      await shot(page, '07-switcher-light');
    },
  );

  await check(
    'choosing Support makes it the active tenant (and it stays after a reload)',
    async () => {
      await page.getByRole('menuitemradio', { name: /Support/ }).click();
      await page.getByTestId('active-tenant-name').filter({ hasText: 'Support' }).first().waitFor();
      assert(
        (await page.getByTestId('tenant-switcher').textContent())?.includes('Support'),
        'the switcher does not show Support',
      );
      assert(
        (await page.textContent('main'))?.includes('Team in Acme Corp'),
        'Support is not shown as a team of Acme',
      );
      await page.reload();
      await page.getByTestId('active-tenant-name').filter({ hasText: 'Support' }).first().waitFor();
      await shot(page, '08-app-support-light');
    },
  );

  await check(
    'the access token is refreshed before it expires, and the new one works',
    async () => {
      const cookie = (await sessionCookie())?.value;
      assert(cookie, 'no session cookie');
      // Tokens live 62 s and are refreshed within 60 s of expiry: 2 s after the last refresh
      // (or the sign-in), the next request refreshes.
      const last = inPostgres
        ? ((await sessionRow(cookie))?.updated_at.getTime() ?? 0)
        : signedInAt;
      const wait =
        Math.max(last, signedInAt) + (ACCESS_TOKEN_LIFESPAN_S - 60) * 1000 + 500 - Date.now();
      if (wait > 0) await sleep(wait);
      await page.goto(`${shellUrl}/app`);
      await page.getByTestId('active-tenant-name').filter({ hasText: 'Support' }).first().waitFor();
      if (inPostgres) {
        const row = await sessionRow(cookie);
        assert(row, 'the session is gone');
        assert(
          row.updated_at.getTime() > last,
          `the session was not refreshed (last ${last}, now ${row.updated_at.getTime()}, created ${row.created_at.getTime()}, signed in ${signedInAt})`,
        );
        assert(row.updated_at > row.created_at, 'the session was never refreshed');
      }
    },
  );

  await check('the signed-in pages render in dark mode', async () => {
    await theme('dark');
    await shot(page, '09-app-support-dark');
    await openMenu(page.getByTestId('tenant-switcher'), page.getByRole('menuitemradio'));
    await shot(page, '10-switcher-dark');
    await page.keyboard.press('Escape');
    await page.goto(`${shellUrl}/`);
    await page.getByRole('link', { name: 'Open workspace' }).waitFor();
    await shot(page, '11-home-signed-in-dark');
    await theme('light');
  });

  await check('the signed-in header fits a phone screen', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${shellUrl}/app`);
    await page.getByTestId('tenant-switcher').waitFor();
    assert(
      await page.evaluate<boolean>('document.documentElement.scrollWidth <= window.innerWidth'),
      'the page scrolls sideways',
    );
    await page.getByRole('button', { name: /^Account: / }).waitFor();
    await shot(page, '13-app-phone-light');
    await page.setViewportSize({ width: 1280, height: 800 });
  });

  // ---- sign out ------------------------------------------------------------------------

  await check(
    '"Sign out" ends the session here and at the provider, and clears the cookie',
    async () => {
      await page.goto(`${shellUrl}/app`);
      const cookie = (await sessionCookie())?.value ?? '';
      const signOut = page.getByRole('menuitem', { name: 'Sign out' });
      await openMenu(page.getByRole('button', { name: /^Account: / }), signOut);
      await signOut.click();
      await page.waitForURL(`${shellUrl}/`);
      await page.getByRole('link', { name: 'Sign in' }).waitFor();
      assert(!(await sessionCookie()), 'the session cookie is still there');
      if (inPostgres) assert(!(await sessionRow(cookie)), 'the session row is still there');
      // The provider's session is over too: it asks for the password again.
      await page.goto(`${shellUrl}/app`);
      await page.waitForURL(onLoginPage);
      await page.locator('#password').waitFor();
    },
  );

  // ---- back-channel logout -------------------------------------------------------------

  await check(
    'a logout at the provider ends the Shell session at once (back channel)',
    async () => {
      await signInAs('alice');
      await page.waitForURL(`${shellUrl}/app`);
      await page.getByRole('heading', { name: 'Welcome, Alice Nguyen' }).waitFor();
      await page.goto(`${shellUrl}/app/elsewhere`);
      await page.getByText('This page isn’t here').waitFor();
      const before = shell.output.length;

      // Somewhere else (another tab, an administrator, offboarding), the provider session ends.
      const other = await context.newPage();
      await other.goto(`${issuer}/protocol/openid-connect/logout?client_id=afenda-shell`);
      await other.getByRole('button', { name: 'Log out' }).click();
      await other.getByText('You are logged out').waitFor();
      await other.close();
      assert(
        shell.output
          .slice(before)
          .some((l) => l.includes('back-channel logout: ended 1 session(s)')),
        `the Shell did not end the session; its output: ${shell.output.slice(before).join(' | ')}`,
      );
      // The browser still has its cookie, but it names no session any more.
      const cookie = await sessionCookie();
      assert(cookie, 'the cookie should still be in the browser');
      if (inPostgres) assert(!(await sessionRow(cookie.value)), 'the session row is still there');
      // A click within the open page (a client-side navigation) goes to sign-in...
      await page.getByRole('link', { name: 'Axis Afenda' }).click();
      await page.waitForURL(onLoginPage);
      await page.locator('#password').waitFor();
      // ... and so does a fresh visit, which comes back to its page after signing in.
      await page.goto(`${shellUrl}/app/after-logout?y=2`);
      await page.waitForURL(onLoginPage);
      await page.locator('#password').waitFor();
      // ... and sign-in returns to the page that was asked for.
      await signInAs('alice');
      await page.waitForURL(`${shellUrl}/app/after-logout?y=2`);
      await page.getByTestId('user-name').waitFor();
    },
  );

  // ---- the edges, over plain HTTP --------------------------------------------------------

  await check(
    'the edges: proxy redirect, returnTo sanitising, CSRF and bad logout tokens',
    async () => {
      const noCookie = await fetch(`${shellUrl}/app/x?y=1`, { redirect: 'manual' });
      assertEqual(noCookie.status, 307, '/app without a cookie');
      assertEqual(
        new URL(noCookie.headers.get('location') ?? '', shellUrl).href,
        `${shellUrl}/auth/login?returnTo=%2Fapp%2Fx%3Fy%3D1`,
        'proxy redirect',
      );

      const evil = await fetch(`${shellUrl}/auth/login?returnTo=//evil.example/x`, {
        redirect: 'manual',
      });
      assertEqual(evil.status, 303, 'login status');
      assert(
        evil.headers.get('location')?.startsWith(`${issuer}/protocol/openid-connect/auth?`),
        'login goes to the provider',
      );
      const loginCookie = evil.headers.getSetCookie().find((c) => c.startsWith('afenda_login='));
      assert(loginCookie, 'no login cookie');
      assert(
        /HttpOnly/i.test(loginCookie) &&
          /SameSite=lax/i.test(loginCookie) &&
          /Path=\/auth/.test(loginCookie),
        `login cookie attributes: ${loginCookie}`,
      );
      const state = JSON.parse(
        Buffer.from(loginCookie.split(';')[0]!.split('=')[1]!, 'base64url').toString('utf8'),
      ) as { r: string };
      assertEqual(state.r, '/app', 'sanitised returnTo');

      const crossSite = await fetch(`${shellUrl}/auth/logout`, {
        method: 'POST',
        redirect: 'manual',
        headers: {
          origin: 'http://evil.example',
          'content-type': 'application/x-www-form-urlencoded',
        },
      });
      assertEqual(crossSite.status, 403, 'cross-site sign-out');

      const bad = await fetch(`${shellUrl}/auth/backchannel-logout`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ logout_token: 'eyJhbGciOiJub25lIn0.eyJzaWQiOiJ4In0.' }),
      });
      assertEqual(bad.status, 400, 'forged logout token');
      assertEqual(bad.headers.get('cache-control'), 'no-store', 'Cache-Control');
      const empty = await fetch(`${shellUrl}/auth/backchannel-logout`, { method: 'POST' });
      assertEqual(empty.status, 400, 'no logout token');

      const stale = await fetch(`${shellUrl}/auth/callback?code=x&state=y`, { redirect: 'manual' });
      assertEqual(
        stale.headers.get('location'),
        '/auth/error?reason=expired',
        'callback without a sign-in',
      );
    },
  );

  await check('a callback without a sign-in in progress explains itself', async () => {
    await page.goto(`${shellUrl}/auth/callback?code=x&state=y`);
    await page.getByRole('heading', { name: 'Your sign-in expired' }).waitFor();
    await page.getByRole('link', { name: 'Sign in again' }).waitFor();
    await theme('dark');
    await shot(page, '12-auth-error-dark');
    await theme('light');
  });

  await check('the Shell logged no unexpected error', async () => {
    const expected = [/back-channel logout: ended \d+ session/, /back-channel logout refused/];
    const unexpected = shell.output.filter(
      (line) => /error|fail|warn/i.test(line) && !expected.some((pattern) => pattern.test(line)),
    );
    assert(unexpected.length === 0, `the Shell said:\n${unexpected.slice(0, 10).join('\n')}`);
  });
} catch (err) {
  setupFailed(err);
} finally {
  await cleanup();
}

await finish({ startedAt: started, timings, screenshots: `${path.relative(ROOT, ARTIFACTS)}/` });
