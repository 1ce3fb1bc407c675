import { chromium, type Browser, type Locator } from 'playwright-core';

import { watchCsp } from './csp.ts';

/**
 * Debian's Chromium, driven by playwright-core: never a downloaded browser. The flags keep it
 * from reaching out to the network (this machine's is closed) and let it run as root in CI.
 */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Every context it opens records CSP violations (lib/csp.ts), which fail the check they occur in. */
export async function launchChromium(): Promise<Browser> {
  const browser = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  const newContext = browser.newContext.bind(browser);
  browser.newContext = async (options) => {
    const context = await newContext(options);
    await watchCsp(context);
    return context;
  };
  return browser;
}

/**
 * Clicks `control` until `outcome` shows. A click that lands before the page has hydrated (or
 * before a lazily loaded part is there) is lost, most often on a busy machine, so it clicks
 * again; only for controls a second click cannot harm, and not while `unless` says it worked.
 */
export async function clickUntil(
  control: Locator,
  outcome: Locator,
  options: { waitMs?: number; unless?: () => Promise<boolean> } = {},
): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    if (!(await options.unless?.())) await control.click();
    try {
      await outcome.first().waitFor({ timeout: options.waitMs ?? 3_000 });
      return;
    } catch (err) {
      if (attempt === 5) throw err;
    }
  }
}

/** Opens a menu by its trigger and waits for `item` in it; never clicks an open menu shut. */
export const openMenu = (trigger: Locator, item: Locator): Promise<void> =>
  clickUntil(trigger, item, {
    unless: async () => (await trigger.getAttribute('aria-expanded')) === 'true',
  });
