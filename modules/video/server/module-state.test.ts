import { afterAll, beforeAll, expect, it } from 'vitest';
import { buildTestApp } from '@afenda/orchestrator/testing/app';
import { startIdentityFixture, type IdentityFixture } from '@afenda/orchestrator/testing/fixture';

let fx: IdentityFixture;
let globex: string;
beforeAll(async () => {
  fx = await startIdentityFixture();
  const { rows } = await fx.tdb.admin.query<{ id: string }>(
    "select id from tenants where slug = 'globex'",
  );
  globex = rows[0]!.id;
});
afterAll(async () => fx?.close());

it('is configured for every tenant by JITSI_URL, which is never shown', async () => {
  const withJitsi = await buildTestApp({
    database: fx.tdb.database,
    env: {
      JITSI_URL: 'https://meet.example',
      JITSI_APP_ID: 'afenda',
      JITSI_APP_SECRET: 'x'.repeat(32),
    },
    identify: fx.ownerIn('gloria', globex),
  });
  try {
    const res = await withJitsi.app.inject({
      method: 'GET',
      url: '/api/v1/modules/state',
      headers: { 'x-tenant-id': globex },
    });
    expect(res.statusCode, res.body).toBe(200);
    const video = (res.json().data as { id: string }[]).find((m) => m.id === 'video');
    expect(video).toMatchObject({
      state: 'enabled',
      missing: [],
      environment: { baseUrl: 'JITSI_URL' },
    });
    expect(res.body).not.toContain('meet.example');
  } finally {
    await withJitsi.app.close();
  }
  // Without it, the video module says what to set.
  const plain = await fx.app.inject({
    method: 'GET',
    url: '/api/v1/modules/state',
    headers: {
      authorization: `Bearer ${await fx.token('gloria')}`,
      'x-tenant-id': globex,
    },
  });
  expect((plain.json().data as { id: string }[]).find((m) => m.id === 'video')).toMatchObject({
    state: 'not_configured',
    missing: ['baseUrl'],
    environment: { baseUrl: 'JITSI_URL' },
  });
});
