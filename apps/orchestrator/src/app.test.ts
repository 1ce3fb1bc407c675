import { createTestDatabase, type TestDatabase } from '@afenda/test-utils';
import { Validator } from '@seriousme/openapi-schema-validator';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { buildTestApp, type LogCapture } from './testing/app.ts';
import { MODULES } from './modules.ts';

let tdb: TestDatabase;
let app: FastifyInstance;
let logs: LogCapture;

beforeAll(async () => {
  tdb = await createTestDatabase();
  ({ app, logs } = await buildTestApp({
    database: tdb.database,
    env: { API_BODY_LIMIT_BYTES: '2048', CORS_ORIGINS: 'http://shell.example:3000' },
    extraRoutes: (scope) => {
      // Probe routes: the same plugin stack as real routes, with behaviour tests can steer.
      scope.post(
        '/api/v1/__probe',
        {
          config: { auth: 'public' },
          schema: {
            body: z.object({
              title: z.string().min(3),
              count: z.number().int().positive(),
              nested: z.object({ ok: z.boolean() }),
            }),
          },
        },
        async (request) => ({ data: request.body, meta: { requestId: request.id } }),
      );
      scope.get('/api/v1/__log/:n', { config: { auth: 'public' } }, async (request) => {
        request.log.warn({ note: 'x' }, 'handler says');
        request.log.error(new Error('boom-err'));
        return { data: {} };
      });
      scope.get('/api/v1/__boom', { config: { auth: 'public' } }, async () => {
        throw new Error('connection to 10.0.0.5 refused; password=hunter2');
      });
    },
  }));
});

afterAll(async () => {
  await app?.close();
  await tdb?.drop();
});

const errorShape = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    details: z.record(z.string(), z.unknown()),
  }),
});

describe('the API envelope', () => {
  it('wraps success as { data, meta } with the request id', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/v1' });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.data.name).toBe('axis-afenda-orchestrator');
    // Every module the orchestrator lists (src/modules.ts), in its order.
    expect(body.data.modules.map((m: { id: string }) => m.id)).toEqual(
      MODULES.map((m) => m.manifest.id),
    );
    expect(body.meta.requestId).toBe(res.headers['x-request-id']);
  });

  it('answers an unknown route with 404 ROUTE_NOT_FOUND in the envelope, inside and outside /api/v1', async () => {
    for (const url of ['/api/v1/nothing-here', '/elsewhere']) {
      const res = await app.inject({ method: 'GET', url });
      expect(res.statusCode).toBe(404);
      const body = errorShape.parse(res.json());
      expect(body.error.code).toBe('ROUTE_NOT_FOUND');
    }
  });

  it('answers a known path with the wrong method with 405 and Allow', async () => {
    const res = await app.inject({ method: 'DELETE', url: '/api/v1/modules' });
    expect(res.statusCode).toBe(405);
    expect(res.headers.allow).toContain('GET');
    expect(errorShape.parse(res.json()).error.code).toBe('METHOD_NOT_ALLOWED');
  });

  it('rejects a schema violation with 400 and names every failing field', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/api/v1/__probe',
      payload: { title: 'x', nested: { ok: 'yes' } },
    });
    expect(res.statusCode).toBe(400);
    const body = errorShape.parse(res.json());
    expect(body.error.code).toBe('VALIDATION_FAILED');
    const fields = (body.error.details.fields as { field: string }[]).map((f) => f.field);
    expect(fields).toEqual(expect.arrayContaining(['body.title', 'body.count', 'body.nested.ok']));
  });

  it('rejects malformed JSON with 400 in the envelope', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/api/v1/__probe',
      headers: { 'content-type': 'application/json' },
      payload: '{"title": ',
    });
    expect(res.statusCode).toBe(400);
    expect(errorShape.parse(res.json()).error.code).toBe('BAD_REQUEST');
  });

  it('rejects an oversized body with 413 and the limit', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/api/v1/__probe',
      payload: { title: 'x'.repeat(4096), count: 1, nested: { ok: true } },
    });
    expect(res.statusCode).toBe(413);
    const body = errorShape.parse(res.json());
    expect(body.error.code).toBe('PAYLOAD_TOO_LARGE');
    expect(body.error.details.limitBytes).toBe(2048);
  });

  it('rejects a body that is not JSON with 415', async () => {
    for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'application/xml']) {
      const res = await app.inject({
        method: 'POST',
        url: '/api/v1/__probe',
        headers: { 'content-type': type },
        payload: 'a=b',
      });
      expect(res.statusCode, type).toBe(415);
      expect(errorShape.parse(res.json()).error.code).toBe('UNSUPPORTED_MEDIA_TYPE');
    }
  });

  it('hides the internals of a 500 and logs them with the request id', async () => {
    const res = await app.inject({
      method: 'GET',
      url: '/api/v1/__boom',
      headers: { 'x-request-id': 'req-boom-1' },
    });
    expect(res.statusCode).toBe(500);
    const body = errorShape.parse(res.json());
    expect(body.error.code).toBe('INTERNAL');
    expect(res.body).not.toContain('10.0.0.5');
    expect(res.body).not.toContain('hunter2');
    expect(body.error.details.requestId).toBe('req-boom-1');
    const logged = logs.lines.find((l) => l.requestId === 'req-boom-1' && l.level === 50);
    expect(logged?.msg).toBe('request failed');
  });
});

describe('request ids and logs', () => {
  it('echoes a sane X-Request-Id and replaces a hostile one', async () => {
    const given = await app.inject({
      method: 'GET',
      url: '/healthz',
      headers: { 'x-request-id': 'abc-123' },
    });
    expect(given.headers['x-request-id']).toBe('abc-123');
    const hostile = await app.inject({
      method: 'GET',
      url: '/healthz',
      headers: { 'x-request-id': 'a b\n{"level":60}' },
    });
    expect(hostile.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    const none = await app.inject({ method: 'GET', url: '/healthz' });
    expect(none.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('writes one line per request (method, path, route, status, timing) and makes no logger per request', async () => {
    // pino's child() lives on its loggers' shared prototype.
    let owner: object = app.log;
    while (!Object.hasOwn(owner, 'child')) owner = Object.getPrototypeOf(owner) as object;
    const child = vi.spyOn(owner as { child: () => unknown }, 'child');
    const before = logs.lines.length;
    await app.inject({
      method: 'GET',
      url: '/api/v1/__log/7?x=1',
      headers: { 'x-request-id': 'req-line-1' },
    });
    const made = child.mock.calls.length;
    child.mockRestore();
    const mine = logs.lines.slice(before).filter((l) => l.requestId === 'req-line-1');
    expect(mine.map((l) => l.msg)).toEqual(['handler says', 'boom-err', 'request completed']);
    expect(mine[0]).toMatchObject({ level: 40, note: 'x' });
    expect(mine[1]).toMatchObject({ level: 50, err: { message: 'boom-err' } });
    expect(mine[2]).toMatchObject({
      level: 30,
      req: { method: 'GET', path: '/api/v1/__log/7', route: '/api/v1/__log/:n' },
      res: { statusCode: 200 },
    });
    expect(typeof mine[2]?.responseTime).toBe('number');
    expect(made).toBe(0);
  });

  it('logs requests as JSON with the request id, and never tokens, cookies, query strings or bodies', async () => {
    const before = logs.raw.length;
    await app.inject({
      method: 'POST',
      url: '/api/v1/__probe?access_token=qs-secret-token',
      headers: {
        authorization: 'Bearer eyJ.secret-bearer.sig',
        cookie: 'sid=secret-cookie',
        'x-request-id': 'req-log-1',
      },
      payload: { title: 'private message body', count: 1, nested: { ok: true } },
    });
    const lines = logs.raw.slice(before).join('\n');
    expect(logs.lines.slice(before).some((l) => l.requestId === 'req-log-1')).toBe(true);
    for (const secret of [
      'secret-bearer',
      'secret-cookie',
      'qs-secret-token',
      'private message body',
    ]) {
      expect(lines).not.toContain(secret);
    }
  });
});

describe('health, readiness, metrics, OpenAPI', () => {
  it('reports liveness and readiness with its checks', async () => {
    expect((await app.inject({ method: 'GET', url: '/healthz' })).json()).toEqual({ status: 'ok' });
    const ready = await app.inject({ method: 'GET', url: '/readyz' });
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toMatchObject({
      status: 'ready',
      checks: { database: { status: 'ok' }, migrations: { status: 'ok', pending: 0 } },
    });
  });

  it('exposes request rate, latency, errors and pool usage to Prometheus', async () => {
    await app.inject({ method: 'GET', url: '/api/v1/modules' });
    await app.inject({ method: 'GET', url: '/api/v1/does-not-exist' });
    const text = (await app.inject({ method: 'GET', url: '/metrics' })).body;
    expect(text).toMatch(
      /afenda_http_requests_total\{method="GET",route="\/api\/v1\/modules",status_code="200"\} \d+/,
    );
    expect(text).toMatch(
      /afenda_http_request_duration_seconds_bucket\{le="0.005",method="GET",route="\/api\/v1\/modules"/,
    );
    expect(text).toMatch(
      /afenda_http_request_errors_total\{method="GET",route="unmatched",class="client"\} \d+/,
    );
    expect(text).toMatch(/afenda_db_pool_connections\{state="max"\} 4/);
  });

  it('serves an OpenAPI 3.1 document that validates, generated from the route schemas', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/v1/openapi.json' });
    expect(res.statusCode).toBe(200);
    const doc = res.json();
    expect(doc.openapi).toBe('3.1.0');
    const validator = new Validator();
    const result = await validator.validate(doc);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(['/api/v1', '/api/v1/modules', '/readyz', '/healthz']),
    );
    // The same schema that validates requests documents them.
    expect(
      doc.paths['/api/v1/__probe'].post.requestBody.content['application/json'].schema.required,
    ).toEqual(expect.arrayContaining(['title', 'count', 'nested']));
  });

  it('serves a readable API reference page', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/v1/docs/' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/html');
    expect(res.body).toContain('swagger');
  });
});

describe('CORS and security headers', () => {
  it('allows only origins on the allow-list', async () => {
    const ok = await app.inject({
      method: 'OPTIONS',
      url: '/api/v1/modules',
      headers: { origin: 'http://shell.example:3000', 'access-control-request-method': 'GET' },
    });
    expect(ok.headers['access-control-allow-origin']).toBe('http://shell.example:3000');
    const other = await app.inject({
      method: 'OPTIONS',
      url: '/api/v1/modules',
      headers: { origin: 'http://evil.example', 'access-control-request-method': 'GET' },
    });
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('sends security headers on API responses', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/v1' });
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['content-security-policy']).toContain("default-src 'none'");
    expect(res.headers['strict-transport-security']).toContain('max-age=');
    expect(res.headers['x-powered-by']).toBeUndefined();
  });
});

describe('readiness without a database', () => {
  it('answers 503 not_ready naming the failing check, while liveness stays up', async () => {
    const { createDatabase } = await import('@afenda/db');
    const unreachable = createDatabase({
      url: 'postgres://nobody:nothing@127.0.0.1:1/none',
      max: 1,
    });
    const { app: lonely } = await buildTestApp({ database: unreachable });
    try {
      const res = await lonely.inject({ method: 'GET', url: '/readyz' });
      expect(res.statusCode).toBe(503);
      expect(res.json()).toMatchObject({
        status: 'not_ready',
        checks: { database: { status: 'fail' }, migrations: { status: 'fail' } },
      });
      expect((await lonely.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
    } finally {
      await lonely.close();
      await unreachable.close();
    }
  });
});
