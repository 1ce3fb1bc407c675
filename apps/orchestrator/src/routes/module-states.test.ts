import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { putModuleSettings } from '@afenda/platform/module-settings';
import { SecretBox } from '@afenda/platform/secrets';
import { startIdentityFixture, type IdentityFixture } from '../testing/fixture.ts';

let fx: IdentityFixture;
let app: FastifyInstance;
const tenant: Record<string, string> = {};
const tokens: Record<string, string> = {};

beforeAll(async () => {
  fx = await startIdentityFixture();
  app = fx.app;
  for (const u of ['ada', 'alice', 'gloria']) tokens[u] = await fx.token(u);
  const { rows } = await fx.tdb.admin.query<{ slug: string; id: string }>(
    "select slug, id from tenants where kind = 'organization'",
  );
  for (const r of rows) tenant[r.slug] = r.id;
});
afterAll(async () => fx?.close());

const get = (username: string, url: string, org = username.startsWith('g') ? 'globex' : 'acme') =>
  app.inject({
    method: 'GET',
    url,
    headers: { authorization: `Bearer ${tokens[username]}`, 'x-tenant-id': tenant[org]! },
  });
const post = (username: string, url: string, payload: object) =>
  app.inject({
    method: 'POST',
    url,
    payload,
    headers: { authorization: `Bearer ${tokens[username]}`, 'x-tenant-id': tenant.acme! },
  });

describe('GET /api/v1/modules/state', () => {
  it('says per tenant which modules are enabled and which settings each still needs', async () => {
    const secrets = new SecretBox(SecretBox.generateKey());
    await putModuleSettings({ database: fx.tdb.database, secrets }, tenant.acme!, 'inbox', {
      enabled: true,
      baseUrl: 'https://chat.acme.example/',
      apiToken: 'cw-token',
      webhookSecret: 'cw-secret',
    });
    await putModuleSettings({ database: fx.tdb.database, secrets }, tenant.acme!, 'video', {
      enabled: false,
      baseUrl: 'https://meet.acme.example',
    });

    const acme = await get('alice', '/api/v1/modules/state');
    expect(acme.statusCode, acme.body).toBe(200);
    const byId = Object.fromEntries(
      (acme.json().data as { id: string }[]).map((m) => [m.id, m]),
    ) as Record<string, Record<string, unknown>>;
    expect(byId.inbox).toMatchObject({
      state: 'enabled',
      missing: [],
      baseUrl: 'https://chat.acme.example/',
      embedUrl: 'https://chat.acme.example/app',
    });
    expect(byId.video).toMatchObject({ state: 'disabled', missing: [], embedUrl: null });
    expect(byId.chat).toMatchObject({
      state: 'not_configured',
      missing: ['baseUrl', 'apiToken', 'webhookSecret'],
      baseUrl: null,
    });
    expect(JSON.stringify(acme.json())).not.toMatch(/cw-token|cw-secret/);
    // Nothing to configure (tldraw is a library in the Shell): enabled everywhere.
    expect(byId.whiteboard).toMatchObject({ state: 'enabled', required: [], environment: {} });

    // Globex has none of Acme's settings.
    const globex = await get('gloria', '/api/v1/modules/state');
    expect(
      (globex.json().data as { id: string; state: string }[]).find((m) => m.id === 'inbox'),
    ).toMatchObject({ state: 'not_configured', baseUrl: null });
  });

  it('needs a tenant the caller belongs to', async () => {
    const res = await app.inject({
      method: 'GET',
      url: '/api/v1/modules/state',
      headers: { authorization: `Bearer ${tokens.alice}` },
    });
    expect(res.statusCode).toBe(400);
    expect((await get('alice', '/api/v1/modules/state', 'globex')).statusCode).toBe(404);
  });
});

describe('GET /api/v1/approvals/:id/events', () => {
  it("lists one approval's ledger, oldest first, with who acted", async () => {
    const created = await post('alice', '/api/v1/approvals/requests', {
      type: 'ceo_approval',
      title: 'Refund',
      submit: true,
    });
    expect(created.statusCode, created.body).toBe(201);
    const id = created.json().data.id as string;
    const decided = await app.inject({
      method: 'POST',
      url: `/api/v1/approvals/${id}/reject`,
      payload: { reason: 'Too much' },
      headers: { authorization: `Bearer ${tokens.ada}`, 'x-tenant-id': tenant.acme! },
    });
    expect(decided.statusCode, decided.body).toBe(200);

    const events = await get('alice', `/api/v1/approvals/${id}/events`);
    expect(events.statusCode, events.body).toBe(200);
    const list = events.json().data as Record<string, unknown>[];
    expect(list.map((e) => e.toStatus)).toEqual(
      ['draft', 'submitted', 'rejected'].slice(-list.length),
    );
    expect(list.at(-1)).toMatchObject({ toStatus: 'rejected', actorName: expect.any(String) });
    expect(list.at(-1)?.hash).toMatch(/^[0-9a-f]{64}$/);
    const seqs = list.map((e) => e.seq as number);
    expect([...seqs].sort((a, b) => a - b)).toEqual(seqs);

    // Another organisation can't read it.
    expect((await get('gloria', `/api/v1/approvals/${id}/events`)).statusCode).toBe(404);
  });
});

describe('modules the deployment configures', () => {
  it('count a setting given by the environment (video: JITSI_URL) for every tenant', async () => {
    const { buildTestApp } = await import('../testing/app.ts');
    const withJitsi = await buildTestApp({
      database: fx.tdb.database,
      env: {
        JITSI_URL: 'https://meet.example',
        JITSI_APP_ID: 'afenda',
        JITSI_APP_SECRET: 'x'.repeat(32),
      },
      identify: async (request) => {
        request.auth = {
          userId: fx.userId('gloria'),
          subject: fx.userId('gloria'),
          username: 'gloria',
          sessionId: null,
          tenantId: tenant.globex!,
          role: 'owner',
          canApprove: true,
        };
      },
    });
    try {
      const res = await withJitsi.app.inject({
        method: 'GET',
        url: '/api/v1/modules/state',
        headers: { 'x-tenant-id': tenant.globex! },
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
    const plain = await get('gloria', '/api/v1/modules/state');
    expect((plain.json().data as { id: string }[]).find((m) => m.id === 'video')).toMatchObject({
      state: 'not_configured',
      missing: ['baseUrl'],
      environment: { baseUrl: 'JITSI_URL' },
    });
  });
});
