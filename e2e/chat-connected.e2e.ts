/**
 * Team chat wired as an operator wires it, in a real browser against a real Synapse
 * (scripts/synapse.mjs, PyPI): `afenda connect matrix` writes the registration (the same
 * function, runSetup, into a temporary directory), Synapse starts with it, the orchestrator gets
 * the tokens, and then, in the Shell:
 *
 *   - the owner's App registry: Team chat's **Test connection** is answered by Synapse (the
 *     appservice token acts as the bot), proven on the page;
 *   - the orchestrator's bot has made the organisation's rooms in Synapse (the access reconcile
 *     at start, through the outbox), and Team chat lists them.
 *
 *   node --import tsx e2e/chat-connected.e2e.ts
 *
 * Needs `node scripts/synapse.mjs fetch` once (CI does it in its Synapse stage).
 * CHROMIUM_PATH: the browser (default /usr/bin/chromium; never a downloaded one).
 * Prints "N passed, N failed"; exits 1 on any failure, a service that does not start included.
 */
import { runSetup } from '@afenda/module-chat/server/setup-files';
import { startSynapse, type SynapseServer } from '@afenda/test-utils/synapse';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';

import { assert, check, finish, log, setupFailed } from './lib/checks.ts';
import { clickUntil, launchChromium } from './lib/chromium.ts';
import { signInAtDevIdp } from './lib/sign-in.ts';
import { freePorts } from './lib/processes.ts';
import { startProduct, type Product } from './lib/product.ts';
import { ROOT } from './lib/processes.ts';

const ARTIFACTS = path.join(ROOT, 'e2e', 'artifacts');
const started = performance.now();
const SERVER_NAME = 'e2e.afenda.test';
const timings: Record<string, number> = {};

let synapse: SynapseServer | undefined;
let product: Product | undefined;
let browser: Browser | undefined;
let setupDir: string | undefined;

async function signIn(shellUrl: string, username: string): Promise<Page> {
  const context = await browser!.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  page.setDefaultTimeout(30_000);
  await signInAtDevIdp(page, `${shellUrl}/app/admin/apps`, username);
  await page.getByRole('heading', { name: 'App registry', level: 1 }).waitFor();
  return page;
}

try {
  await mkdir(ARTIFACTS, { recursive: true });
  const [orchestratorPort] = (await freePorts(1)) as [number];
  setupDir = await mkdtemp(path.join(tmpdir(), 'afenda-matrix-setup-'));
  // What `npx afenda connect matrix` writes, with Synapse reaching the orchestrator here.
  const setup = runSetup({
    env: {
      MATRIX_APPSERVICE_URL: `http://127.0.0.1:${orchestratorPort}`,
      MATRIX_SERVER_NAME: SERVER_NAME,
    },
    outDir: setupDir,
  });
  const t0 = performance.now();
  synapse = await startSynapse({ serverName: SERVER_NAME, appservices: [setup.registration] });
  timings.synapseReadyMs = Math.round(performance.now() - t0);
  const env = Object.fromEntries(
    setup.envLines.map((line) => line.split(/=(.*)/s).slice(0, 2) as [string, string]),
  );
  product = await startProduct({
    skipBuild: process.env.E2E_SKIP_BUILD === '1',
    orchestratorPort,
    orchestratorEnv: { ...env, MATRIX_HOMESERVER_URL: synapse.url },
  });
  timings.productReadyMs = product.setupMs;
  browser = await launchChromium();
  log(`e2e: Synapse ${synapse.version} at ${synapse.url}; the Shell at ${product.shellUrl}`);
  const ada = await signIn(product.shellUrl, 'ada');

  await check(
    "the owner's App registry: Team chat's Test connection is answered by the real Synapse",
    async () => {
      const card = ada.locator('#main').getByTestId('app-registry').locator('[data-module="chat"]');
      await clickUntil(
        card.getByRole('button', { name: 'Test connection' }),
        card
          .getByTestId('connection-test-chat')
          .getByText(
            `Connected. Synapse knows the appservice: it answers the token as @afenda:${SERVER_NAME}.`,
          ),
        { waitMs: 5_000 },
      );
      await ada.screenshot({ path: path.join(ARTIFACTS, 'chat-connected-app-registry.png') });
    },
  );

  await check(
    "the bot made the organisation's rooms in Synapse; Team chat lists them",
    async () => {
      const t = performance.now();
      // The access reconcile at start creates them through the outbox: reload until they show.
      for (let i = 0; i < 60; i++) {
        await ada.goto(`${product!.shellUrl}/app/chat`);
        await ada.getByRole('heading', { name: 'Team chat', level: 1 }).waitFor();
        if ((await ada.locator('#main').getByTestId('chat-room').count()) > 0) break;
        await ada.waitForTimeout(1000);
      }
      const kinds = await ada
        .locator('#main')
        .getByTestId('chat-room')
        .evaluateAll((els) => els.map((e) => e.getAttribute('data-kind')));
      assert(
        kinds.includes('org'),
        `Team chat lists ${JSON.stringify(kinds)}, no organisation room`,
      );
      timings.roomsListedMs = Math.round(performance.now() - t);
      // And Synapse has them: the bot is joined to a room with Acme's name.
      const joined = (await fetch(
        `${synapse!.url}/_matrix/client/v3/joined_rooms?user_id=${encodeURIComponent(`@afenda:${SERVER_NAME}`)}`,
        {
          headers: { authorization: `Bearer ${env.MATRIX_AS_TOKEN}` },
        },
      ).then((r) => r.json())) as { joined_rooms?: string[] };
      assert(
        (joined.joined_rooms ?? []).length > 0,
        `the bot is in no room of Synapse: ${JSON.stringify(joined)}`,
      );
      await ada.screenshot({ path: path.join(ARTIFACTS, 'chat-connected-rooms.png') });
    },
  );
} catch (err) {
  setupFailed(err);
}

await browser?.close().catch(() => undefined);
await product?.stop().catch(() => undefined);
await synapse?.stop().catch(() => undefined);
if (setupDir) await rm(setupDir, { recursive: true, force: true });
await finish({
  startedAt: started,
  screenshots: ARTIFACTS,
  timings,
  notes: synapse ? [`Synapse ${synapse.version}`] : [],
});
