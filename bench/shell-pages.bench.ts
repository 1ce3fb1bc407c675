/**
 * shell-pages: the Shell's pages as a browser gets them, from a production build (`next start`)
 * with demo data (the whole product, e2e/lib/product.ts):
 *
 * - Lighthouse 12.2.3 performance score (Debian's Chromium, desktop and mobile presets, median of
 *   three runs) for /app/approvals and /app/inbox, signed in as Acme's CEO with requests waiting;
 * - first-load JS per route: the scripts the server-rendered page names, gzipped from the build
 *   output (.next/static);
 *
 * each beside the same figures for a bare Next.js page from the same build (/bench/bare: the
 * framework and our root layout, nothing else). Goals: score ≥ 95, first-load JS ≤ 200 KB.
 *
 * BENCH_SKIP_BUILD=1 uses the Shell build that is there.
 */
import lighthouse, { desktopConfig } from 'lighthouse';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

import { CHROMIUM_PATH } from '../e2e/lib/chromium.ts';
import { ROOT, freePort } from '../e2e/lib/processes.ts';
import { startProduct } from '../e2e/lib/product.ts';
import { scope } from './lib/cleanup.ts';
import type { BenchResult, Goal } from './lib/types.ts';

export const name = 'shell-pages';
export const goal: Goal = {
  ratio: 0.95,
  description: 'Lighthouse ≥ 95 (mobile, worst of approvals/inbox) vs the bare page',
};

const ROUTES = ['/app/approvals', '/app/inbox', '/app/activity', '/app'];
const LIGHTHOUSE_ROUTES = ['/app/approvals', '/app/inbox'];
const BARE = '/bench/bare';
const STATIC_DIR = path.join(ROOT, 'apps/shell/.next');
const JS_GOAL_KB = 200;
const RUNS = 3;

async function signIn(page: Page, shellUrl: string, username: string): Promise<void> {
  await page.goto(`${shellUrl}/app`);
  await page.fill('#username', username);
  await page.fill('#password', `demo-${username}`);
  await page.click('button[type=submit]');
  await page.waitForURL(`${shellUrl}/app`);
}

async function useAcme(page: Page): Promise<void> {
  await page.getByTestId('tenant-switcher').click();
  await page.getByRole('menuitemradio', { name: /Acme Corp/ }).click();
  await page.getByTestId('tenant-switcher').filter({ hasText: 'Acme Corp' }).waitFor();
  await page.waitForLoadState('networkidle');
}

async function signOut(page: Page): Promise<void> {
  await page.getByRole('button', { name: /^Account: / }).click();
  await page.getByRole('menuitem', { name: 'Sign out' }).click();
  await page.waitForURL((url) => !url.pathname.startsWith('/app'));
}

/**
 * First-load JS: the scripts the server-rendered page itself names (what must arrive before it is
 * interactive; Next's own definition), not what is prefetched for other routes afterwards, and
 * not the polyfills only old browsers load (nomodule).
 * Gzipped from the build output, as Next reports it.
 */
async function firstLoadJs(context: BrowserContext, url: string): Promise<number> {
  const page = await context.newPage();
  await page.goto(url, { waitUntil: 'domcontentloaded' });
  const sources = await page.$$eval('script[src]:not([nomodule])', (nodes) =>
    nodes.map((n) => n.getAttribute('src') ?? ''),
  );
  const scripts = sources.map((src) => new URL(src, url).pathname);
  await page.close();
  let total = 0;
  for (const p of new Set(scripts.filter((s) => s.startsWith('/_next/static/')))) {
    const file = path.join(
      STATIC_DIR,
      'static',
      decodeURIComponent(p.slice('/_next/static/'.length)),
    );
    total += gzipSync(await readFile(file)).length;
  }
  return total;
}

async function score(port: number, url: string, preset: 'mobile' | 'desktop'): Promise<number> {
  const result = await lighthouse(
    url,
    {
      port,
      output: 'json',
      logLevel: 'error',
      onlyCategories: ['performance'],
      disableStorageReset: true,
    },
    preset === 'desktop' ? desktopConfig : undefined,
  );
  const value = result?.lhr.categories.performance?.score;
  if (typeof value !== 'number')
    throw new Error(
      `no performance score for ${url}: ${result?.lhr.runtimeError?.message ?? 'unknown'}`,
    );
  return Math.round(value * 100);
}

export async function run(): Promise<BenchResult> {
  return scope(async (defer) => {
    const product = await startProduct({ skipBuild: process.env.BENCH_SKIP_BUILD === '1' });
    defer('product', () => product.stop());
    const { shellUrl } = product;
    const profile = await mkdtemp(path.join(tmpdir(), 'afenda-bench-chromium-'));
    defer('profile', () => rm(profile, { recursive: true, force: true }));
    const port = await freePort();
    // A persistent context is the browser's default one: Lighthouse's tab shares its cookies.
    const context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM_PATH,
      headless: true,
      args: [
        `--remote-debugging-port=${port}`,
        '--no-sandbox',
        '--disable-gpu',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    defer('browser', () => context.close());
    const page = await context.newPage();
    page.setDefaultTimeout(30_000);

    // Demo data: alice (an Acme agent) asks for three decisions; ada (the CEO) has them waiting.
    await signIn(page, shellUrl, 'alice');
    await useAcme(page);
    for (const title of [
      'Refund 120 EUR to order 1042',
      'Replace a broken parcel',
      'Extend the trial by 30 days',
    ]) {
      await page.goto(`${shellUrl}/app/approvals/new`);
      await page.getByLabel('Title').fill(title);
      await page
        .getByLabel('Description')
        .fill('The customer asked in the chat; details in the conversation.');
      await page.getByRole('button', { name: 'Submit for approval' }).click();
      await page.waitForURL(/\/app\/approvals\/[0-9a-f-]{36}$/);
    }
    await signOut(page);
    await signIn(page, shellUrl, 'ada');
    await useAcme(page);
    await page.close();

    const js: Record<string, number> = {};
    for (const route of [...ROUTES, BARE])
      js[route] = await firstLoadJs(context, `${shellUrl}${route}`);

    // The median of three runs each: a shared machine makes single Lighthouse runs noisy.
    const median = async (url: string, preset: 'mobile' | 'desktop') => {
      const runs: number[] = [];
      for (let i = 0; i < RUNS; i++) runs.push(await score(port, url, preset));
      return runs.sort((a, b) => a - b)[Math.floor(RUNS / 2)]!;
    };
    const scores: Record<string, { mobile: number; desktop: number }> = {};
    for (const route of [...LIGHTHOUSE_ROUTES, BARE]) {
      scores[route] = {
        mobile: await median(`${shellUrl}${route}`, 'mobile'),
        desktop: await median(`${shellUrl}${route}`, 'desktop'),
      };
    }
    const kb = (bytes: number) => Math.round(bytes / 102.4) / 10;
    const worstMobile = Math.min(...LIGHTHOUSE_ROUTES.map((r) => scores[r]!.mobile));
    const worstDesktop = Math.min(...LIGHTHOUSE_ROUTES.map((r) => scores[r]!.desktop));
    const heaviest = Math.max(...ROUTES.map((r) => js[r]!));
    return {
      figure: worstMobile,
      baseline: scores[BARE]!.mobile,
      unit: 'score',
      details: {
        lighthouse: scores,
        firstLoadJsKb: Object.fromEntries(Object.entries(js).map(([r, b]) => [r, kb(b)])),
        bare: `${BARE} (an empty page of the same build)`,
      },
      extra: [
        {
          key: 'lighthouse-desktop',
          goal: { ratio: 0.95, description: 'Lighthouse ≥ 95 (desktop) vs the bare page' },
          figure: worstDesktop,
          baseline: scores[BARE]!.desktop,
          unit: 'score',
          summary: `lighthouse (mobile/desktop): ${[...LIGHTHOUSE_ROUTES, BARE].map((r) => `${r} ${scores[r]!.mobile}/${scores[r]!.desktop}`).join(', ')}`,
        },
        {
          key: 'first-load-js',
          goal: {
            description: `heaviest route; goal ≤ ${JS_GOAL_KB} KB gzip (${kb(heaviest) <= JS_GOAL_KB ? 'met' : 'missed'})`,
          },
          figure: kb(heaviest),
          baseline: kb(js[BARE]!),
          unit: 'KB gzip',
          summary: `first-load JS (gzip): ${Object.entries(js)
            .map(([r, b]) => `${r} ${kb(b)} KB`)
            .join(', ')}`,
        },
      ],
    };
  });
}
