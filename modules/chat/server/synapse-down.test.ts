/**
 * Synapse down (a closed port here): calls into it wait in the outbox with their error and are
 * retried; nothing is lost, and the Team chat page's status says so. No Synapse needed.
 */
import { freePort } from '@afenda/test-utils/synapse';
import { startIdentityFixture, type IdentityFixture } from '@afenda/orchestrator/testing/fixture';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, expect, it } from 'vitest';

let fx: IdentityFixture;

beforeAll(async () => {
  const closed = await freePort();
  fx = await startIdentityFixture({
    jobs: true,
    poolMax: 12,
    env: {
      MATRIX_HOMESERVER_URL: `http://127.0.0.1:${closed}`,
      MATRIX_SERVER_NAME: 'afenda.test',
      MATRIX_AS_TOKEN: 'as-token-0123456789abcdef',
      MATRIX_WEBHOOK_TOKEN: 'hs-token-0123456789abcdef',
      JOB_BACKOFF_BASE_MS: '100',
      JOB_BACKOFF_MAX_MS: '200',
    },
  });
});

afterAll(async () => {
  await fx?.close();
});

it('keeps the reconciles in the outbox with the error, retries them, and shows the failure', async () => {
  let rows: Array<{ status: string; attempts: number; last_error: string | null }> = [];
  for (let i = 0; i < 100; i++) {
    rows = (
      await fx.tdb.admin.query(
        "select status, attempts, last_error from outbound_actions where kind = 'access.reconcile'",
      )
    ).rows;
    if (rows.length >= 2 && rows.every((r) => r.attempts >= 2)) break;
    await sleep(100);
  }
  expect(rows.length).toBeGreaterThanOrEqual(2); // Acme and Globex
  for (const r of rows) {
    expect(r.status === 'failed' || r.status === 'pending').toBe(true);
    expect(r.attempts).toBeGreaterThanOrEqual(2);
    expect(r.last_error).toMatch(/fetch failed|ECONNREFUSED/);
  }
  const [acme] = (
    await fx.tdb.admin.query<{ id: string }>("select id from tenants where slug = 'acme'")
  ).rows;
  const res = await fx.app.inject({
    method: 'GET',
    url: '/api/v1/chat/rooms',
    headers: { authorization: `Bearer ${await fx.token('ada')}`, 'x-tenant-id': acme!.id },
  });
  expect(res.statusCode, res.body).toBe(200);
  const { data, meta } = res.json() as {
    data: unknown[];
    meta: { matrix: { configured: boolean; failing: { error: string } | null } };
  };
  expect(data).toEqual([]);
  expect(meta.matrix.configured).toBe(true);
  expect(meta.matrix.failing?.error).toMatch(/fetch failed|ECONNREFUSED/);
});
