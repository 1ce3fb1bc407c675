/**
 * A person over their read budget is told how long to wait, and the page comes back by itself:
 * the orchestrator with a small budget (RATE_LIMIT_READS=30 in a 15 s window) answers 429 with
 * Retry-After; the Shell's error page reads it from the error's digest, counts down and tries
 * again. (The budget itself: apps/orchestrator/src/plugins/rate-limit.test.ts.)
 *
 *   node --import tsx e2e/rate-limit.e2e.ts      (E2E_SKIP_BUILD=1: use the Shell build there)
 *
 * Screenshots go to e2e/artifacts/rate-limit-*.png. Prints "N passed, N failed"; exits 1 on any
 * failure.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';

import { assert, check, finish, log, setupFailed } from './lib/checks.ts';
import { launchChromium } from './lib/chromium.ts';
import { ROOT } from './lib/processes.ts';
import { startProduct, type Product } from './lib/product.ts';
import { signInAtDevIdp } from './lib/sign-in.ts';

const ARTIFACTS = path.join(ROOT, 'e2e', 'artifacts');
const WINDOW_S = 15;
const started = performance.now();

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
  page.screenshot({ path: path.join(ARTIFACTS, `rate-limit-${name}.png`), animations: 'disabled' });

const secondsIn = (text: string) => Number(/in (\d+) seconds?/.exec(text)?.[1] ?? NaN);

try {
  await mkdir(ARTIFACTS, { recursive: true });
  product = await startProduct({
    skipBuild: process.env.E2E_SKIP_BUILD === '1',
    orchestratorEnv: { RATE_LIMIT_READS: '30', RATE_LIMIT_WINDOW_MS: String(WINDOW_S * 1000) },
  });
  log(`e2e: everything is up (${product.setupMs} ms)`);
  browser = await launchChromium();
  const shellUrl = product.shellUrl;

  for (const width of [1280, 390]) {
    const context = await browser.newContext({ viewport: { width, height: 844 } });
    const page = await context.newPage();
    page.setDefaultTimeout(30_000);
    const heading = page.getByRole('heading', { name: 'Approvals', level: 1 });
    const card = page.getByTestId('rate-limited');

    await check(`over the read budget, the page says how long to wait (${width} px)`, async () => {
      // The read budget is per person: a fresh window for this one (the other ran before).
      if (width !== 1280) await page.waitForTimeout(WINDOW_S * 1000);
      await signInAtDevIdp(page, `${shellUrl}/app/approvals`, 'ada');
      await heading.waitFor();
      // Each page is five or more reads: a few reloads spend 30.
      for (let i = 0; i < 15 && !(await card.isVisible()); i++) await page.reload();
      await card.waitFor();
      const text = await card.innerText();
      assert(text.includes('Too many requests for a moment'), `the card says: ${text}`);
      const first = secondsIn(text);
      assert(first >= 1 && first <= WINDOW_S, `it waits ${first} s`);
      assert(!(await page.getByText('could not be loaded').isVisible()), 'it calls it a failure');
      await shot(page, `wait-${width}`);
      if (first >= 3) {
        await page.waitForTimeout(1_600);
        const later = secondsIn(await card.innerText());
        assert(later < first, `it does not count down: ${first} s, then ${later} s`);
      }
    });

    await check(`the page comes back by itself once the wait is over (${width} px)`, async () => {
      await heading.waitFor({ timeout: (WINDOW_S + 10) * 1000 });
      assert(!(await card.isVisible()), 'the wait is still shown');
    });
    await context.close();
  }
} catch (err) {
  setupFailed(err);
} finally {
  await cleanup();
}
await finish({ startedAt: started, screenshots: 'e2e/artifacts/rate-limit-*.png' });
