import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';

import { OrchestratorApiError, OrchestratorUnavailableError } from './client';
import { createOrchestratorApi } from './orchestrator';
import { flattenTenants } from './tenants';

let server: Server | undefined;
const seen: {
  method?: string;
  url?: string;
  authorization?: string;
  tenant?: string;
  idempotencyKey?: string;
  body?: string;
}[] = [];

async function serve(handler: (req: IncomingMessage, res: ServerResponse) => void) {
  const current = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      seen.push({
        method: req.method,
        url: req.url,
        authorization: req.headers.authorization,
        tenant: req.headers['x-tenant-id'] as string | undefined,
        idempotencyKey: req.headers['idempotency-key'] as string | undefined,
        body: Buffer.concat(chunks).toString('utf8'),
      });
      handler(req, res);
    });
  });
  server = current;
  await new Promise<void>((resolve) => current.listen(0, '127.0.0.1', resolve));
  const { port } = current.address() as AddressInfo;
  return createOrchestratorApi({
    baseUrl: `http://127.0.0.1:${port}/`,
    accessToken: 'token-1',
    timeoutMs: 200,
  });
}

const json = (status: number, body: unknown) => (_req: IncomingMessage, res: ServerResponse) => {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
};

afterEach(async () => {
  seen.length = 0;
  const current = server;
  server = undefined;
  if (current) {
    current.closeAllConnections();
    await new Promise<void>((resolve) => current.close(() => resolve()));
  }
});

const ids = {
  me: '11111111-1111-4111-8111-111111111111',
  personal: '22222222-2222-4222-8222-222222222222',
  acme: '33333333-3333-4333-8333-333333333333',
  support: '44444444-4444-4444-8444-444444444444',
};

const tree = [
  {
    id: ids.personal,
    kind: 'individual',
    slug: 'alice',
    name: 'Alice Nguyen',
    parentId: null,
    role: 'owner',
    canApprove: true,
    children: [],
  },
  {
    id: ids.acme,
    kind: 'organization',
    slug: 'acme',
    name: 'Acme',
    parentId: null,
    role: 'member',
    canApprove: false,
    children: [
      {
        id: ids.support,
        kind: 'team',
        slug: 'support',
        name: 'Support',
        parentId: ids.acme,
        role: 'member',
        canApprove: false,
        children: [],
      },
    ],
  },
];

describe('the orchestrator API helper', () => {
  it('sends the bearer token and reads the caller and the tenant tree', async () => {
    const api = await serve((req, res) =>
      req.url === '/api/v1/me'
        ? json(200, {
            data: {
              id: ids.me,
              subject: 'kc-alice',
              username: 'alice',
              displayName: 'Alice Nguyen',
              email: 'alice@acme.example',
              personalTenantId: ids.personal,
              activeTenantId: ids.acme,
            },
            meta: { requestId: 'r1' },
          })(req, res)
        : json(200, { data: tree, meta: { requestId: 'r2', activeTenantId: ids.acme } })(req, res),
    );
    expect((await api.getMe()).displayName).toBe('Alice Nguyen');
    const tenants = await api.listTenants();
    expect(tenants.activeTenantId).toBe(ids.acme);
    expect(flattenTenants(tenants.tenants).map((t) => [t.name, t.depth, t.parentName])).toEqual([
      ['Alice Nguyen', 0, null],
      ['Acme', 0, null],
      ['Support', 1, 'Acme'],
    ]);
    expect(seen.map((s) => s.authorization)).toEqual(['Bearer token-1', 'Bearer token-1']);
  });

  it('switches with a POST to /tenants/:id/switch', async () => {
    const api = await serve(
      json(200, {
        data: { ...tree[1]!.children[0], children: undefined },
        meta: { requestId: 'r' },
      }),
    );
    expect((await api.switchTenant(ids.support)).name).toBe('Support');
    expect(seen[0]).toMatchObject({
      method: 'POST',
      url: `/api/v1/tenants/${ids.support}/switch`,
    });
  });

  it('turns the error envelope into a typed error', async () => {
    const api = await serve(
      json(404, {
        error: { code: 'TENANT_NOT_FOUND', message: 'No such tenant', details: { id: 'x' } },
      }),
    );
    const err = await api.switchTenant(ids.support).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OrchestratorApiError);
    expect(err).toMatchObject({
      status: 404,
      code: 'TENANT_NOT_FOUND',
      message: 'No such tenant',
      details: { id: 'x' },
    });
  });

  it('reports an unreachable, slow or strange orchestrator as unavailable', async () => {
    const html = await serve((_req, res) => {
      res.writeHead(502, { 'content-type': 'text/html' });
      res.end('<h1>Bad gateway</h1>');
    });
    await expect(html.getMe()).rejects.toThrow(OrchestratorUnavailableError);
    await new Promise<void>((resolve) => server!.close(() => resolve()));
    server = undefined;

    const wrongShape = await serve(json(200, { data: { id: 'not-a-uuid' }, meta: {} }));
    await expect(wrongShape.getMe()).rejects.toThrow(/Unexpected response body/);
    server!.closeAllConnections();
    await new Promise<void>((resolve) => server!.close(() => resolve()));
    server = undefined;

    const slow = await serve(() => {
      // never answers
    });
    await expect(slow.getMe()).rejects.toThrow(/Timed out after 200 ms/);

    const refused = createOrchestratorApi({ baseUrl: 'http://127.0.0.1:1', accessToken: 't' });
    await expect(refused.getMe()).rejects.toThrow(OrchestratorUnavailableError);
  });
});

const approval = {
  id: '55555555-5555-4555-8555-555555555555',
  tenantId: ids.acme,
  type: 'ceo_approval',
  status: 'submitted',
  title: 'Refund',
  description: '',
  source: 'chatwoot',
  sourceRef: null,
  metadata: {},
  requestedBy: ids.me,
  decidedBy: null,
  decision: null,
  decisionComment: null,
  createdAt: '2026-11-26T21:00:00.000Z',
  submittedAt: '2026-11-26T21:00:00.000Z',
  decidedAt: null,
};

describe('calls in a tenant', () => {
  it('name the tenant, pass the query and read one keyset page', async () => {
    const api = await serve(json(200, { data: [approval], meta: { nextCursor: 'c2' } }));
    const page = await api
      .inTenant(ids.acme)
      .listApprovals({ awaiting: 'me', cursor: 'c1', type: undefined, status: '' });
    expect(page).toEqual({ data: [approval], nextCursor: 'c2' });
    expect(seen[0]).toMatchObject({
      method: 'GET',
      url: '/api/v1/approvals?awaiting=me&cursor=c1',
      tenant: ids.acme,
      idempotencyKey: undefined,
    });
  });

  it('send each mutation with a JSON body and its own idempotency key', async () => {
    const api = await serve(json(200, { data: { ...approval, status: 'rejected' } }));
    const tenant = api.inTenant(ids.acme);
    expect((await tenant.reject(approval.id, 'Too much')).status).toBe('rejected');
    await tenant.reject(approval.id, 'Again');
    expect(seen[0]).toMatchObject({
      method: 'POST',
      url: `/api/v1/approvals/${approval.id}/reject`,
      body: '{"reason":"Too much"}',
    });
    expect(seen[0]?.idempotencyKey).toMatch(/^[0-9a-f-]{36}$/);
    expect(seen[1]?.idempotencyKey).not.toBe(seen[0]?.idempotencyKey);
  });

  it('tell a new escalation (201) from the pending one (200)', async () => {
    let status = 201;
    const api = await serve((req, res) => json(status, { data: approval })(req, res));
    const conversation = '66666666-6666-4666-8666-666666666666';
    expect(await api.inTenant(ids.acme).escalate(conversation, { note: 'VIP' })).toEqual({
      approval,
      created: true,
    });
    status = 200;
    expect((await api.inTenant(ids.acme).escalate(conversation)).created).toBe(false);
    expect(seen.map((s) => [s.url, s.body])).toEqual([
      [`/api/v1/conversations/${conversation}/escalate`, '{"note":"VIP"}'],
      [`/api/v1/conversations/${conversation}/escalate`, '{}'],
    ]);
  });

  it('accept an empty answer to "mark read" and read the unread count', async () => {
    const api = await serve((req, res) => {
      if (req.url?.endsWith('/unread-count')) return json(200, { data: { count: 3 } })(req, res);
      res.writeHead(204);
      res.end();
    });
    const tenant = api.inTenant(ids.acme);
    await tenant.markRead('77777777-7777-4777-8777-777777777777');
    await tenant.markAllRead();
    expect(await tenant.unreadCount()).toBe(3);
    expect(seen.map((s) => `${s.method} ${s.url}`)).toEqual([
      'POST /api/v1/notifications/77777777-7777-4777-8777-777777777777/read',
      'POST /api/v1/notifications/read-all',
      'GET /api/v1/notifications/unread-count',
    ]);
  });

  it('escape ids in paths', async () => {
    const api = await serve(json(404, { error: { code: 'NOT_FOUND', message: 'x', details: {} } }));
    await api
      .inTenant(ids.acme)
      .getConversation('../admin?x=1')
      .catch(() => undefined);
    expect(seen[0]?.url).toBe('/api/v1/conversations/..%2Fadmin%3Fx%3D1');
  });

  it('report a route this orchestrator lacks as ROUTE_NOT_FOUND, and a wrong shape as unavailable', async () => {
    const api = await serve(
      json(404, { error: { code: 'ROUTE_NOT_FOUND', message: 'No route', details: {} } }),
    );
    await expect(api.inTenant(ids.acme).listConversations()).rejects.toMatchObject({
      status: 404,
      code: 'ROUTE_NOT_FOUND',
    });
    server!.closeAllConnections();
    await new Promise<void>((resolve) => server!.close(() => resolve()));
    server = undefined;
    const odd = await serve(json(200, { data: [{ id: 'x' }], meta: {} }));
    await expect(odd.inTenant(ids.acme).listActivity()).rejects.toThrow(
      OrchestratorUnavailableError,
    );
  });
});
