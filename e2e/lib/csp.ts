import type { BrowserContext, Page } from 'playwright-core';

/**
 * Content-Security-Policy violations seen by any page or frame of the run's browser contexts
 * (a `securitypolicyviolation` listener installed before any page script), for the checks to
 * fail on: the Shell's policy must let every page of the e2e work as it is.
 */
export interface CspViolation {
  directive: string;
  blocked: string;
  document: string;
  sample: string;
}

const pending: CspViolation[] = [];
let total = 0;

const LISTENER = `document.addEventListener('securitypolicyviolation', (e) => {
  window.__afendaCspViolation?.({
    directive: e.effectiveDirective,
    blocked: e.blockedURI,
    document: e.documentURI,
    sample: e.sample,
  });
});`;

export async function watchCsp(context: BrowserContext): Promise<void> {
  await context.exposeBinding('__afendaCspViolation', (_source, v: CspViolation) => {
    pending.push(v);
    total += 1;
  });
  await context.addInitScript({ content: LISTENER });
}

/** The violations reported since the last call (after letting in-flight reports arrive). */
export async function takeCspViolations(): Promise<CspViolation[]> {
  await new Promise((resolve) => setTimeout(resolve, 50));
  return pending.splice(0);
}

export const cspViolationCount = () => total;

export const describeViolation = (v: CspViolation) =>
  `CSP ${v.directive} blocked ${v.blocked || '(inline)'} on ${v.document}${v.sample ? ` (${v.sample.slice(0, 60)})` : ''}`;

/**
 * Wait until `expression` is truthy in the page. Playwright's waitForFunction evaluates its
 * predicate with the page's eval, which the Shell's policy refuses (no 'unsafe-eval' in
 * production); page.evaluate goes through the DevTools protocol, which the policy doesn't cover.
 */
export async function waitForExpression(
  page: Page,
  expression: string,
  options: { timeout?: number } = {},
): Promise<void> {
  const deadline = Date.now() + (options.timeout ?? 20_000);
  for (;;) {
    if (await page.evaluate<unknown>(expression).catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${expression}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
