import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';

/**
 * Page checks the e2e scripts share: axe-core's serious and critical violations, and whether the
 * page scrolls sideways (the phone-width check).
 */
const require = createRequire(import.meta.url);
let source: Promise<string> | undefined;

/** axe-core in the page: serious and critical violations, as readable lines. */
export async function axe(page: Page): Promise<string[]> {
  source ??= readFile(require.resolve('axe-core/axe.min.js'), 'utf8');
  await page.addScriptTag({ content: await source });
  // A string, evaluated in the page (this package has no DOM types).
  const violations = await page.evaluate<
    { id: string; impact: string | null; help: string; targets: string[] }[]
  >(`axe.run(document, { resultTypes: ['violations'] }).then((r) =>
    r.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      targets: v.nodes.slice(0, 3).map((n) => JSON.stringify(n.target)),
    })))`);
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.impact} ${v.id}: ${v.help} at ${v.targets.join(', ')}`);
}

/** The page is no wider than the window. */
export const noSidewaysScroll = (page: Page) =>
  page.evaluate<boolean>('document.documentElement.scrollWidth <= window.innerWidth');
