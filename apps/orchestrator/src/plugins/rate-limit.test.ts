import { createTestDatabase, type TestDatabase } from '@afenda/test-utils';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp } from '../testing/app.ts';

let tdb: TestDatabase;
let app: FastifyInstance;

beforeAll(async () => {
  tdb = await createTestDatabase();
  ({ app } = await buildTestApp({
    database: tdb.database,
    env: {
      RATE_LIMIT_READS: '3',
      RATE_LIMIT_WRITES: '2',
      RATE_LIMIT_WEBHOOKS: '5',
      RATE_LIMIT_TENANT_FACTOR: '2',
      RATE_LIMIT_WINDOW_MS: '60000',
    },
    // Stand-in for token verification (the identity issue): who is asking, in which tenant.
    identify: async (request) => {
      const user = request.headers['x-test-user'];
      if (typeof user === 'string')
        request.auth = {
          userId: user,
          subject: user,
          username: user,
          sessionId: null,
          tenantId: request.headers['x-test-tenant'] as string | undefined,
        };
    },
    extraRoutes: (scope) => {
      scope.get('/api/v1/__read', { config: { auth: 'public' } }, async () => ({
        data: 'ok',
        meta: {},
      }));
      scope.post('/api/v1/__write', { config: { auth: 'public' } }, async () => ({
        data: 'ok',
        meta: {},
      }));
      scope.post(
        '/api/v1/__hook',
        { config: { rateLimit: 'webhooks', auth: 'public' } },
        async () => ({
          data: 'ok',
          meta: {},
        }),
      );
    },
  }));
});
afterAll(async () => {
  await app?.close();
  await tdb?.drop();
});

const read = (headers: Record<string, string>) =>
  app.inject({ method: 'GET', url: '/api/v1/__read', headers });

describe('rate limits', () => {
  it('answers 429 with Retry-After and the envelope once a user spends their read budget', async () => {
    const me = { 'x-test-user': 'u1' };
    for (let i = 0; i < 3; i++) expect((await read(me)).statusCode).toBe(200);
    const limited = await read(me);
    expect(limited.statusCode).toBe(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(limited.json()).toMatchObject({
      error: { code: 'RATE_LIMITED', details: { kind: 'reads', scope: 'user', limit: 3 } },
    });
    expect(limited.json().error.message).toMatch(/^Too many read requests; retry in \d+ s$/);
    // Another user is unaffected.
    expect((await read({ 'x-test-user': 'u2' })).statusCode).toBe(200);
  });

  it('keeps separate budgets per kind of endpoint', async () => {
    const me = { 'x-test-user': 'u3' };
    for (let i = 0; i < 2; i++)
      expect(
        (await app.inject({ method: 'POST', url: '/api/v1/__write', headers: me })).statusCode,
      ).toBe(200);
    expect(
      (await app.inject({ method: 'POST', url: '/api/v1/__write', headers: me })).statusCode,
    ).toBe(429);
    expect((await read(me)).statusCode).toBe(200);
    expect(
      (await app.inject({ method: 'POST', url: '/api/v1/__hook', headers: me })).statusCode,
    ).toBe(200);
  });

  it("limits a tenant as a whole: many users can't exceed the tenant's budget", async () => {
    // Tenant budget for reads = 3 x 2 = 6.
    const statuses: number[] = [];
    for (const user of ['a', 'b', 'c', 'd']) {
      for (let i = 0; i < 2; i++)
        statuses.push(
          (await read({ 'x-test-user': `t-${user}`, 'x-test-tenant': 'acme' })).statusCode,
        );
    }
    expect(statuses.filter((s) => s === 200)).toHaveLength(6);
    const last = await read({ 'x-test-user': 't-e', 'x-test-tenant': 'acme' });
    expect(last.statusCode).toBe(429);
    expect(last.json().error.details.scope).toBe('tenant');
    expect((await read({ 'x-test-user': 't-e', 'x-test-tenant': 'globex' })).statusCode).toBe(200);
  });

  it('keys anonymous callers by address and never limits health checks', async () => {
    for (let i = 0; i < 10; i++)
      expect((await app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
    const statuses = [];
    for (let i = 0; i < 4; i++)
      statuses.push(
        (await app.inject({ method: 'GET', url: '/api/v1/__read', remoteAddress: '10.9.9.9' }))
          .statusCode,
      );
    expect(statuses).toEqual([200, 200, 200, 429]);
  });
});
