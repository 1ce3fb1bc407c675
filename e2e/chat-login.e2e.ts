/**
 * One login for Matrix (docs/chat.md, "How one login works"), in a real browser against a real
 * Synapse (scripts/synapse.mjs, PyPI): a person the orchestrator provisioned through the
 * application service signs in through the identity provider (the realm export's `synapse`
 * client) and gets that same Matrix account.
 *
 *   node --import tsx e2e/chat-login.e2e.ts                 the development identity provider
 *   E2E_KEYCLOAK=1 node --import tsx e2e/chat-login.e2e.ts  a real Keycloak (scripts/keycloak.mjs)
 *
 * Needs `node scripts/synapse.mjs fetch` once (CI does it in its Synapse stage).
 * CHROMIUM_PATH: the browser (default /usr/bin/chromium; never a downloaded one).
 *
 * Screenshots go to e2e/artifacts/chat-login-*.png. Prints "N passed, N failed"; exits 1 on any
 * failure, a service that does not start included.
 */
import {
  buildRegistration,
  keycloakOidcProvider,
  localpartOf,
  randomToken,
} from '@afenda/module-chat/server/setup';
import { startKeycloak, type KeycloakServer } from '@afenda/test-utils/keycloak';
import { matrixCall, startSynapse, type SynapseServer } from '@afenda/test-utils/synapse';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { createServer, type Server } from 'node:http';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';

import { assert, assertEqual, check, finish, log, setupFailed } from './lib/checks.ts';
import { launchChromium } from './lib/chromium.ts';
import { ROOT, freePorts, start, stopAll, waitForOutput } from './lib/processes.ts';

const ARTIFACTS = path.join(ROOT, 'e2e', 'artifacts');
const started = performance.now();
const useKeycloak = process.env.E2E_KEYCLOAK === '1';
const which = useKeycloak ? 'Keycloak' : 'the development identity provider';
const SERVER_NAME = 'afenda.test';
const timings: Record<string, number> = {};

/** The page Synapse sends the browser back to (Element's place): it only has to answer. */
function startLandingPage(port: number): Promise<Server> {
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end('<!doctype html><title>Back from Synapse</title><p>signed in</p>');
  });
  return new Promise((resolve) => server.listen(port, '127.0.0.1', () => resolve(server)));
}

let synapse: SynapseServer | undefined;
let keycloak: KeycloakServer | undefined;
let landing: Server | undefined;
let browser: Browser | undefined;
let idpData: string | undefined;

async function stop(): Promise<void> {
  await browser?.close().catch(() => undefined);
  await synapse?.stop().catch(() => undefined);
  await keycloak?.stop().catch(() => undefined);
  landing?.close();
  await stopAll();
  if (idpData) await rm(idpData, { recursive: true, force: true });
}

/** Through the identity provider's sign-in form (the dev provider's and Keycloak's share ids). */
async function signInAtIdp(page: Page, issuer: string, username: string): Promise<void> {
  await page.waitForURL((u) => u.href.startsWith(issuer), { timeout: 30_000 });
  await page.fill('#username', username);
  await page.fill('#password', `demo-${username}`);
  await page.click(useKeycloak ? '#kc-login' : 'button[type=submit]');
}

/**
 * Synapse's SSO from the start (`/login/sso/redirect/oidc-keycloak`) to the `loginToken` it hands
 * the client, through the identity provider and, when Synapse shows one, its confirmation page
 * ("Continue to your account") for a client it does not know.
 */
async function ssoLogin(
  page: Page,
  issuer: string,
  username: string,
  landingUrl: string,
  expectedUserId: string,
): Promise<string> {
  const redirect = `${synapse!.url}/_matrix/client/v3/login/sso/redirect/oidc-keycloak?redirectUrl=${encodeURIComponent(landingUrl)}`;
  await page.goto(redirect);
  await signInAtIdp(page, issuer, username);
  await page.waitForURL(
    (u) => u.href.startsWith(landingUrl) || u.pathname.startsWith('/_synapse/client/'),
    { timeout: 30_000 },
  );
  if (!page.url().startsWith(landingUrl)) {
    // Synapse's confirmation page for an existing account: it names the account and the client.
    await page.screenshot({ path: path.join(ARTIFACTS, `chat-login-${username}-confirm.png`) });
    const text = await page.locator('body').innerText();
    assert(
      text.includes(expectedUserId) && text.includes(landingUrl),
      `Synapse's page at ${page.url()} does not offer ${expectedUserId} to ${landingUrl}:\n${text.slice(0, 400)}`,
    );
    await page
      .getByRole('button', { name: 'Continue' })
      .or(page.getByRole('link', { name: 'Continue' }))
      .first()
      .click();
    await page.waitForURL((u) => u.href.startsWith(landingUrl), { timeout: 30_000 });
  }
  await page.screenshot({ path: path.join(ARTIFACTS, `chat-login-${username}.png`) });
  const token = new URL(page.url()).searchParams.get('loginToken');
  assert(token, `no loginToken on ${page.url()}`);
  return token;
}

try {
  await mkdir(ARTIFACTS, { recursive: true });
  const [idpPort, synapsePort, landingPort] = (await freePorts(3)) as [number, number, number];
  const synapseBase = `http://127.0.0.1:${synapsePort}`;
  const clientSecret = `e2e-${randomBytes(12).toString('hex')}`;
  // The realm export as it is: its placeholders point the synapse client at this Synapse.
  const realmEnv = {
    AFENDA_SYNAPSE_CLIENT_SECRET: clientSecret,
    SYNAPSE_PUBLIC_BASEURL: synapseBase,
  };
  const asToken = randomToken();

  const t0 = performance.now();
  let issuer: string;
  if (useKeycloak) {
    keycloak = await startKeycloak({ env: realmEnv, timeoutMs: 180_000 });
    issuer = keycloak.issuer;
  } else {
    const idpOrigin = `http://127.0.0.1:${idpPort}`;
    idpData = await mkdtemp(path.join(tmpdir(), 'afenda-chat-login-'));
    const idp = start('dev-idp', ['--import', 'tsx', 'apps/dev-idp/src/server.ts'], {
      NODE_ENV: 'development',
      DEV_IDP_PORT: String(idpPort),
      DEV_IDP_PUBLIC_URL: idpOrigin,
      DATA_DIR: idpData,
      REALM_EXPORT_FILE: 'deploy/keycloak/realm-afenda.json',
      ...realmEnv,
    });
    await waitForOutput(idp, /development identity provider ready/, 60_000);
    issuer = `${idpOrigin}/realms/afenda`;
  }
  timings.idpReadyMs = Math.round(performance.now() - t0);

  const t1 = performance.now();
  synapse = await startSynapse({
    port: synapsePort,
    serverName: SERVER_NAME,
    appservices: [
      buildRegistration({
        // The landing page answers the transactions Synapse pushes: this suite only provisions.
        orchestratorUrl: `http://127.0.0.1:${landingPort}`,
        serverName: SERVER_NAME,
        asToken,
        hsToken: randomToken(),
        botLocalpart: 'afenda',
      }),
    ],
    oidcProviders: [keycloakOidcProvider({ issuer, clientId: 'synapse', clientSecret })],
  });
  timings.synapseReadyMs = Math.round(performance.now() - t1);
  landing = await startLandingPage(landingPort);
  browser = await launchChromium();
  log(`Synapse ${synapse.version} at ${synapse.url}, signing in through ${which} (${issuer})`);

  const landingUrl = `http://127.0.0.1:${landingPort}/element`;

  await check(
    `alice, provisioned through the AS, signs in through ${which} as that same user`,
    async () => {
      // The orchestrator's way of provisioning: the AS registers the Keycloak username's localpart.
      const provisioned = await matrixCall<{ user_id: string }>(
        synapse!.url,
        asToken,
        'POST',
        '/_matrix/client/v3/register',
        {
          type: 'm.login.application_service',
          username: localpartOf('alice'),
          inhibit_login: true,
        },
      );
      assertEqual(provisioned.user_id, `@alice:${SERVER_NAME}`, 'the provisioned user');

      const context = await browser!.newContext();
      const page = await context.newPage();
      const t = performance.now();
      const token = await ssoLogin(page, issuer, 'alice', landingUrl, provisioned.user_id);
      timings.aliceSsoMs = Math.round(performance.now() - t);
      await context.close();

      const login = await matrixCall<{ user_id: string; access_token: string }>(
        synapse!.url,
        null,
        'POST',
        '/_matrix/client/v3/login',
        { type: 'm.login.token', token },
      );
      assertEqual(login.user_id, provisioned.user_id, 'the user Synapse signed in');
      const me = await matrixCall<{ user_id: string }>(
        synapse!.url,
        login.access_token,
        'GET',
        '/_matrix/client/v3/account/whoami',
      );
      assertEqual(me.user_id, provisioned.user_id, 'whoami with the new access token');
      // A login token is good once.
      const again = await fetch(`${synapse!.url}/_matrix/client/v3/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ type: 'm.login.token', token }),
      });
      assertEqual(again.status, 403, 'the same login token a second time');
    },
  );

  await check('a wrong password gets no Matrix session', async () => {
    const context = await browser!.newContext();
    const page = await context.newPage();
    await page.goto(
      `${synapse!.url}/_matrix/client/v3/login/sso/redirect/oidc-keycloak?redirectUrl=${encodeURIComponent(landingUrl)}`,
    );
    await page.waitForURL((u) => u.href.startsWith(issuer), { timeout: 30_000 });
    await page.fill('#username', 'alice');
    await page.fill('#password', 'not-her-password');
    await page.click(useKeycloak ? '#kc-login' : 'button[type=submit]');
    await page.waitForLoadState('load');
    assert(page.url().startsWith(issuer), `left the identity provider for ${page.url()}`);
    assert(
      /invalid/i.test(await page.locator('body').innerText()),
      'the sign-in form says the credentials are invalid',
    );
    await context.close();
  });
} catch (err) {
  setupFailed(err);
}

await stop();
await finish({
  startedAt: started,
  screenshots: ARTIFACTS,
  timings,
  notes: synapse ? [`Synapse ${synapse.version}; identity provider: ${which}`] : [],
});
