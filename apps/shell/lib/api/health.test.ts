import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';

import { createCall } from './client';
import { createHealthApi, DEFAULT_TIMEOUT_MS, getOrchestratorUrl } from './health';

const health = (baseUrl: string, { timeoutMs = DEFAULT_TIMEOUT_MS } = {}) =>
  createHealthApi(createCall({ baseUrl, timeoutMs }));
const fetchReadiness = (baseUrl: string, options?: { timeoutMs: number }) =>
  health(baseUrl, options).readiness();
const fetchServiceInfo = (baseUrl: string) => health(baseUrl).serviceInfo();

let server: Server | undefined;

/** Start a throwaway HTTP server on an ephemeral port and return its base URL. */
async function serve(handler: RequestListener): Promise<string> {
  const current = createServer(handler);
  server = current;
  await new Promise<void>((resolve) => current.listen(0, '127.0.0.1', resolve));
  const { port } = current.address() as AddressInfo;
  return `http://127.0.0.1:${port}`;
}

function json(status: number, body: unknown): RequestListener {
  return (_req, res) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
}

afterEach(async () => {
  const current = server;
  server = undefined;
  if (current) {
    current.closeAllConnections();
    await new Promise<void>((resolve) => current.close(() => resolve()));
  }
});

describe('fetchReadiness', () => {
  it('reports ready on 200 {"status":"ready"}', async () => {
    const baseUrl = await serve(
      json(200, {
        status: 'ready',
        checks: {
          database: { status: 'ok', latencyMs: 1.2 },
          migrations: { status: 'ok', applied: 3, pending: 0 },
        },
      }),
    );

    const result = await fetchReadiness(baseUrl);

    expect(result).toEqual({
      state: 'ready',
      url: `${baseUrl}/readyz`,
      checks: {
        database: { status: 'ok', latencyMs: 1.2 },
        migrations: { status: 'ok', applied: 3, pending: 0 },
      },
    });
  });

  it('reports not ready with the failing checks on 503', async () => {
    const baseUrl = await serve(
      json(503, {
        status: 'not_ready',
        checks: {
          database: { status: 'fail', error: 'connection refused' },
          migrations: { status: 'fail' },
          cache: { status: 'ok' },
        },
      }),
    );

    const result = await fetchReadiness(baseUrl);

    expect(result.state).toBe('not_ready');
    if (result.state !== 'not_ready') return;
    expect(result.failing).toEqual([
      { name: 'database', error: 'connection refused' },
      { name: 'migrations' },
    ]);
  });

  it('reports unreachable with the URL and error when nothing listens', async () => {
    // Grab a free port, then close the server so the connection is refused.
    const baseUrl = await serve(json(200, {}));
    await new Promise<void>((resolve) => server?.close(() => resolve()));
    server = undefined;

    const result = await fetchReadiness(baseUrl);

    expect(result.state).toBe('unreachable');
    if (result.state !== 'unreachable') return;
    expect(result.url).toBe(`${baseUrl}/readyz`);
    expect(result.error).toMatch(/ECONNREFUSED/);
  });

  it('reports unreachable when the request times out', async () => {
    const baseUrl = await serve(() => {
      // Never answer.
    });

    const result = await fetchReadiness(baseUrl, { timeoutMs: 50 });

    expect(result).toEqual({
      state: 'unreachable',
      url: `${baseUrl}/readyz`,
      error: 'Timed out after 50 ms',
    });
  });

  it('reports unreachable on a non-JSON answer', async () => {
    const baseUrl = await serve((_req, res) => {
      res.writeHead(502, { 'content-type': 'text/html' });
      res.end('<h1>Bad Gateway</h1>');
    });

    const result = await fetchReadiness(baseUrl);

    expect(result).toMatchObject({ state: 'unreachable', error: expect.stringMatching(/502/) });
  });
});

describe('fetchServiceInfo', () => {
  it('lists the modules', async () => {
    const baseUrl = await serve(
      json(200, {
        data: {
          name: 'axis-afenda-orchestrator',
          version: '0.1.0',
          modules: [{ id: 'inbox', name: 'Inbox', tool: 'Chatwoot' }],
        },
        meta: { requestId: 'req-1' },
      }),
    );

    const result = await fetchServiceInfo(baseUrl);

    expect(result).toEqual({
      ok: true,
      url: `${baseUrl}/api/v1`,
      name: 'axis-afenda-orchestrator',
      version: '0.1.0',
      modules: [{ id: 'inbox', name: 'Inbox', tool: 'Chatwoot' }],
    });
  });
});

describe('getOrchestratorUrl', () => {
  it('defaults to localhost:8000 and strips trailing slashes', () => {
    expect(getOrchestratorUrl({})).toBe('http://localhost:8000');
    expect(getOrchestratorUrl({ ORCHESTRATOR_URL: 'http://orchestrator:8000/' })).toBe(
      'http://orchestrator:8000',
    );
  });
});
