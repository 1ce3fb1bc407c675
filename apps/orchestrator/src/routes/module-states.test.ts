import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { putModuleSettings } from '@afenda/platform/module-settings';
import { SecretBox } from '@afenda/platform/secrets';
import type { ModuleManifest } from '@afenda/contracts';
import { defineModule } from '@afenda/platform/module';
import { httpOrigin } from '@afenda/platform/settings';
import { z } from 'zod';
import { startIdentityFixture, type IdentityFixture } from '../testing/fixture.ts';

/** Three small modules of this test's own: the kernel's behaviour, whichever tools are installed. */
const tool = (
  id: string,
  fields: { baseUrl: boolean; apiToken: boolean; webhookSecret: boolean },
) =>
  ({
    id,
    name: id,
    tool: `${id} tool`,
    description: `The ${id} test module`,
    path: `/app/${id}`,
    order: 100,
    settings: fields,
    routes: [{ path: `/app/${id}`, title: id }],
  }) satisfies ModuleManifest;
const crm = defineModule({
  manifest: {
    ...tool('crm', { baseUrl: true, apiToken: true, webhookSecret: true }),
    embed: { path: '/app', title: 'CRM' },
    tenantKinds: ['organization', 'team'],
  },
  settings: z.object({}),
  create: () => ({}),
});
const maps = defineModule({
  manifest: {
    ...tool('maps', { baseUrl: true, apiToken: false, webhookSecret: false }),
    environment: { baseUrl: 'MAPS_URL' },
  },
  settings: z.object({ MAPS_URL: httpOrigin.optional() }),
  create: () => ({}),
});
const notes = defineModule({
  manifest: tool('notes', { baseUrl: false, apiToken: false, webhookSecret: false }),
  settings: z.object({}),
  create: () => ({}),
});
const TEST_MODULES = [crm, maps, notes];

let fx: IdentityFixture;
let app: FastifyInstance;
const tenant: Record<string, string> = {};
const tokens: Record<string, string> = {};

beforeAll(async () => {
  fx = await startIdentityFixture({ modules: TEST_MODULES });
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
    await putModuleSettings({ database: fx.tdb.database, secrets }, tenant.acme!, 'crm', {
      enabled: true,
      baseUrl: 'https://crm.acme.example/',
      apiToken: 'crm-token',
      webhookSecret: 'crm-secret',
    });
    await putModuleSettings({ database: fx.tdb.database, secrets }, tenant.acme!, 'maps', {
      enabled: false,
      baseUrl: 'https://maps.acme.example',
    });

    const acme = await get('alice', '/api/v1/modules/state');
    expect(acme.statusCode, acme.body).toBe(200);
    const byId = Object.fromEntries(
      (acme.json().data as { id: string }[]).map((m) => [m.id, m]),
    ) as Record<string, Record<string, unknown>>;
    expect(byId.crm).toMatchObject({
      state: 'enabled',
      missing: [],
      baseUrl: 'https://crm.acme.example/',
      embedUrl: 'https://crm.acme.example/app',
    });
    expect(byId.maps).toMatchObject({ state: 'disabled', missing: [], embedUrl: null });
    expect(JSON.stringify(acme.json())).not.toMatch(/crm-token|crm-secret/);
    // Nothing to configure: enabled everywhere.
    expect(byId.notes).toMatchObject({ state: 'enabled', required: [], environment: {} });

    // Globex has none of Acme's settings.
    const globex = await get('gloria', '/api/v1/modules/state');
    expect(
      (globex.json().data as { id: string; state: string }[]).find((m) => m.id === 'crm'),
    ).toMatchObject({
      state: 'not_configured',
      missing: ['baseUrl', 'apiToken', 'webhookSecret'],
      baseUrl: null,
    });
  });

  it('lists a module only in the kinds of tenant it is for (none of the CRM in a personal tenant)', async () => {
    const [personal] = (
      await fx.tdb.admin.query<{ id: string }>(
        `select t.id from tenants t join user_tenants ut on ut.tenant_id = t.id
           join users u on u.id = ut.user_id
          where t.kind = 'individual' and u.username = 'alice'`,
      )
    ).rows;
    const res = await app.inject({
      method: 'GET',
      url: '/api/v1/modules/state',
      headers: { authorization: `Bearer ${tokens.alice}`, 'x-tenant-id': personal!.id },
    });
    expect(res.statusCode, res.body).toBe(200);
    expect((res.json().data as { id: string }[]).map((m) => m.id).sort()).toEqual([
      'maps',
      'notes',
    ]);
    const acme = (await get('alice', '/api/v1/modules/state')).json().data as { id: string }[];
    expect(acme.map((m) => m.id).sort()).toEqual(['crm', 'maps', 'notes']);
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
      type: 'generic',
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
  it('count a setting given by the environment for every tenant, never showing it', async () => {
    const { buildTestApp } = await import('../testing/app.ts');
    const withMaps = await buildTestApp({
      database: fx.tdb.database,
      modules: TEST_MODULES,
      env: { MAPS_URL: 'https://maps.example' },
      identify: fx.ownerIn('gloria', tenant.globex!),
    });
    try {
      const res = await withMaps.app.inject({
        method: 'GET',
        url: '/api/v1/modules/state',
        headers: { 'x-tenant-id': tenant.globex! },
      });
      expect(res.statusCode, res.body).toBe(200);
      expect((res.json().data as { id: string }[]).find((m) => m.id === 'maps')).toMatchObject({
        state: 'enabled',
        missing: [],
        environment: { baseUrl: 'MAPS_URL' },
      });
      expect(res.body).not.toContain('maps.example');
    } finally {
      await withMaps.app.close();
    }
    // Without it, the module says what to set.
    const plain = await get('gloria', '/api/v1/modules/state');
    expect((plain.json().data as { id: string }[]).find((m) => m.id === 'maps')).toMatchObject({
      state: 'not_configured',
      missing: ['baseUrl'],
      environment: { baseUrl: 'MAPS_URL' },
    });
  });
});
