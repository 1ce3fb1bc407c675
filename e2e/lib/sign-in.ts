import type { Page } from 'playwright-core';

/**
 * Opens `url` signed out and signs in at the development identity provider's form as
 * `username` (the demo password, `demo-<username>`), which brings the page back to `url`.
 */
export async function signInAtDevIdp(page: Page, url: string, username: string): Promise<void> {
  await page.goto(url);
  await page.fill('#username', username);
  await page.fill('#password', `demo-${username}`);
  await page.click('button[type=submit]');
}
