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
 * Opens a menu by its trigger and waits for `item` in it. A click that lands before the page has
 * hydrated (or before a lazily loaded menu is there) is lost, most often on a busy machine: click
 * again until the menu is open, never once it is (that would close it).
 */
export async function openMenu(trigger: Locator, item: Locator): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    if ((await trigger.getAttribute('aria-expanded')) !== 'true') await trigger.click();
    try {
      await item.first().waitFor({ timeout: 3_000 });
      return;
    } catch (err) {
      if (attempt === 5) throw err;
    }
  }
}
