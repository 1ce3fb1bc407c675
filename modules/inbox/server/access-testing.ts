/** What the access suites (access.test.ts, access.keycloak.test.ts) share: reads and waits. */
import type { TestDatabase } from '@afenda/test-utils';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls fn every 50 ms until it answers something truthy; throws naming `what` after ms. */
export async function until<T>(
  what: string,
  fn: () => Promise<T | undefined | false>,
  ms = 30_000,
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

/** Rows as the superuser sees them, and a wait until every queued access run has finished. */
export function accessProbes(tdb: () => TestDatabase) {
  const q = async <T extends Record<string, unknown>>(text: string, values: unknown[] = []) =>
    (await tdb().admin.query<T>(text, values)).rows;
  const idle = () =>
    until('the access runs to finish', async () => {
      const open = await q(
        "select 1 from outbound_actions where kind = 'access.reconcile' and status in ('pending', 'failed')",
      );
      return open.length === 0;
    });
  return { q, idle };
}
