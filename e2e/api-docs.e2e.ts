/**
 * The API reference signs in: at /api/v1/docs, "Authorize" runs the authorization code flow with
 * PKCE against the identity provider (the realm's public client afenda-api-docs), and "Try it
 * out" then calls the API as the person who signed in.
 *
 *   node --import tsx e2e/api-docs.e2e.ts
 *
 * E2E_KEYCLOAK=1     sign in at a real Keycloak (scripts/keycloak.mjs) instead of the development
 *                    identity provider
 * E2E_SKIP_BUILD=1   use the Shell build that is there
 *
 * Screenshots go to e2e/artifacts/api-docs-*.png. Prints "N passed, N failed"; exits 1 on any
 * failure.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';

import { assert, assertEqual, check, log, finish, setupFailed } from './lib/checks.ts';
import { launchChromium } from './lib/chromium.ts';
import { ROOT } from './lib/processes.ts';
import { startProduct, type Product } from './lib/product.ts';

const ARTIFACTS = path.join(ROOT, 'e2e', 'artifacts');
const started = performance.now();
const keycloak = process.env.E2E_KEYCLOAK === '1';

let product: Product | undefined;
let browser: Browser | undefined;

async function cleanup(): Promise<void> {
  await browser?.close().catch(() => undefined);
  await product?.stop();
}
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void cleanup().finally(() => process.exit(130));
  });
}

const shot = (page: Page, name: string) =>
  page.screenshot({ path: path.join(ARTIFACTS, `api-docs-${name}.png`), fullPage: false });

/** Expands one operation, runs it with "Try it out", and returns the status and body shown. */
async function tryItOut(page: Page, method: string, route: string) {
  const op = page.locator(`.opblock-${method.toLowerCase()}`, {
    has: page.locator(`.opblock-summary-path[data-path="${route}"]`),
  });
  await op.locator('.opblock-summary').first().click();
  await op.getByRole('button', { name: 'Try it out' }).click();
  await op.getByRole('button', { name: 'Execute' }).click();
  const live = op.locator('.live-responses-table .response');
  await live.first().waitFor();
  return {
    status: Number(
      (await live.locator('.response-col_status').first().innerText()).trim().split(/\s/)[0],
    ),
    body: await op.locator('.live-responses-table .microlight').first().innerText(),
  };
}

try {
  await mkdir(ARTIFACTS, { recursive: true });
  product = await startProduct({ skipBuild: process.env.E2E_SKIP_BUILD === '1', keycloak });
  log(
    `e2e: everything is up (${product.setupMs} ms); signing in at ${keycloak ? 'a real Keycloak' : 'the development identity provider'}`,
  );
  browser = await launchChromium();
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  page.setDefaultTimeout(30_000);
  const docs = `${product.orchestratorUrl}/api/v1/docs/`;

  await check(
    'the OpenAPI document offers OAuth2 (authorization code) beside a bearer token',
    async () => {
      const res = await page.request.get(`${product!.orchestratorUrl}/api/v1/openapi.json`);
      const doc = (await res.json()) as {
        components: { securitySchemes: Record<string, { type: string; flows?: unknown }> };
        paths: Record<string, Record<string, { security?: Record<string, string[]>[] }>>;
      };
      const oauth2 = doc.components.securitySchemes.oauth2 as {
        type: string;
        flows: { authorizationCode: { authorizationUrl: string; tokenUrl: string } };
      };
      assertEqual(oauth2.type, 'oauth2', 'the scheme');
      assert(
        oauth2.flows.authorizationCode.authorizationUrl.endsWith(
          '/realms/afenda/protocol/openid-connect/auth',
        ),
        `authorizationUrl: ${oauth2.flows.authorizationCode.authorizationUrl}`,
      );
      assertEqual(
        doc.paths['/api/v1/tenants']?.get?.security,
        [{ bearer: [] }, { oauth2: ['openid'] }],
        'GET /api/v1/tenants accepts either',
      );
    },
  );

  await check('without signing in, Try it out answers 401 in the error envelope', async () => {
    await page.goto(docs);
    await page.locator('.swagger-ui .info .title').waitFor();
    const { status, body } = await tryItOut(page, 'GET', '/api/v1/tenants');
    assertEqual(status, 401, 'status');
    assert(body.includes('"code"'), `the error envelope: ${body}`);
  });

  await check(
    'Authorize signs in at the identity provider (PKCE), and Try it out calls the API as that person',
    async () => {
      await page.goto(docs);
      await page.locator('.swagger-ui .info .title').waitFor();
      await page.locator('.btn.authorize').first().click();
      const dialog = page.locator('.modal-ux');
      const oauth = dialog.locator('.auth-container', { hasText: 'authorizationCode with PKCE' });
      await oauth.waitFor();
      assertEqual(
        await oauth.locator('input[data-name=clientId]').inputValue(),
        'afenda-api-docs',
        'the client id comes filled in',
      );
      await shot(page, 'authorize');
      const [popup, authorize] = await Promise.all([
        page.waitForEvent('popup'),
        context.waitForEvent('request', (r) => r.url().includes('/protocol/openid-connect/auth')),
        oauth.locator('button.authorize').click(),
      ]);
      await popup.waitForLoadState();
      const authorizeUrl = new URL(authorize.url());
      assertEqual(authorizeUrl.searchParams.get('code_challenge_method'), 'S256', 'PKCE');
      await popup.fill('#username', 'ada');
      await popup.fill('#password', 'demo-ada');
      await popup.locator('button[type=submit], input[type=submit]').first().click();
      // The redirect page hands the code back to the reference and closes.
      await popup.waitForEvent('close', { timeout: 30_000 }).catch(async (err: unknown) => {
        const where = popup.isClosed()
          ? '(closed)'
          : `${popup.url()}: ${(await popup.locator('body').innerText()).slice(0, 300)}`;
        throw new Error(`the sign-in window did not hand back and close: ${where}`, { cause: err });
      });
      await oauth.locator('button', { hasText: 'Logout' }).waitFor();
      await dialog.locator('button.btn-done').first().click();
      const { status, body } = await tryItOut(page, 'GET', '/api/v1/tenants');
      assertEqual(status, 200, `status (${body.slice(0, 200)})`);
      assert(body.includes('"acme"'), `Ada's tenants: ${body.slice(0, 300)}`);
      await shot(page, 'signed-in');
    },
  );
} catch (err) {
  setupFailed(err);
} finally {
  await cleanup();
}

await finish({ startedAt: started, screenshots: 'e2e/artifacts/api-docs-*.png' });
