import {
  createServer,
  type IncomingHttpHeaders,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';

import { reconnectDelay } from './backoff';
import { proxyEventStream, sanitizeLastEventId } from './stream-proxy';

let server: Server | undefined;
const requests: IncomingHttpHeaders[] = [];
let closedUpstream: Promise<void> = Promise.resolve();

/** A stand-in orchestrator at the network boundary: an SSE endpoint we control. */
async function orchestrator(handle: (res: ServerResponse) => void): Promise<string> {
  let closed!: () => void;
  closedUpstream = new Promise((resolve) => (closed = resolve));
  const current = createServer((req, res) => {
    requests.push(req.headers);
    req.on('close', () => closed());
    handle(res);
  });
  server = current;
  await new Promise<void>((resolve) => current.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(current.address() as AddressInfo).port}/`;
}

afterEach(async () => {
  requests.length = 0;
  const current = server;
  server = undefined;
  if (current) {
    current.closeAllConnections();
    await new Promise<void>((resolve) => current.close(() => resolve()));
  }
});

const sse = (res: ServerResponse) => {
  res.writeHead(200, { 'content-type': 'text/event-stream' });
  res.write('id: 7\nevent: notification\ndata: {"n":1}\n\n');
};

async function readSome(response: Response, until: string): Promise<string> {
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let text = '';
  while (!text.includes(until)) {
    const { done, value } = await reader.read();
    if (done) break;
    text += decoder.decode(value, { stream: true });
  }
  reader.releaseLock();
  return text;
}

describe('proxyEventStream', () => {
  it('sends the bearer token, the tenant and Last-Event-ID, and streams the events through', async () => {
    const url = await orchestrator(sse);
    const browser = new AbortController();
    const response = await proxyEventStream({
      orchestratorUrl: url,
      accessToken: 'token-1',
      tenantId: 'tenant-1',
      lastEventId: '6',
      signal: browser.signal,
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect(response.headers.get('cache-control')).toContain('no-transform');
    expect(await readSome(response, '\n\n')).toBe('id: 7\nevent: notification\ndata: {"n":1}\n\n');
    expect(requests[0]).toMatchObject({
      authorization: 'Bearer token-1',
      'x-tenant-id': 'tenant-1',
      'last-event-id': '6',
      accept: 'text/event-stream',
    });
    browser.abort();
    await closedUpstream;
  });

  it('closes the upstream request when the browser goes away', async () => {
    const url = await orchestrator(sse);
    const browser = new AbortController();
    const response = await proxyEventStream({
      orchestratorUrl: url,
      accessToken: 't',
      tenantId: 'x',
      signal: browser.signal,
    });
    await readSome(response, '\n\n');
    browser.abort();
    await closedUpstream; // resolves only when the orchestrator sees the connection close
  });

  it('closes the upstream request when the response body is cancelled', async () => {
    const url = await orchestrator(sse);
    const response = await proxyEventStream({
      orchestratorUrl: url,
      accessToken: 't',
      tenantId: 'x',
      signal: new AbortController().signal,
    });
    await response.body!.cancel();
    await closedUpstream;
  });

  it('leaves out a Last-Event-ID that could not be a header value', async () => {
    const url = await orchestrator(sse);
    const browser = new AbortController();
    await proxyEventStream({
      orchestratorUrl: url,
      accessToken: 't',
      tenantId: 'x',
      lastEventId: 'a\r\nx-evil: 1',
      signal: browser.signal,
    });
    expect(requests[0]?.['last-event-id']).toBeUndefined();
    expect(requests[0]?.['x-evil']).toBeUndefined();
    browser.abort();
  });

  it.each([
    [401, 401, 'UNAUTHENTICATED'],
    [404, 404, 'STREAM_NOT_FOUND'],
    [500, 502, 'STREAM_UNAVAILABLE'],
  ])('answers an upstream %i with %i and the error envelope', async (upstream, status, code) => {
    const url = await orchestrator((res) => {
      res.writeHead(upstream, { 'content-type': 'application/json' });
      res.end('{"error":{"code":"X","message":"no","details":{}}}');
    });
    const response = await proxyEventStream({
      orchestratorUrl: url,
      accessToken: 't',
      tenantId: 'x',
      signal: new AbortController().signal,
    });
    expect(response.status).toBe(status);
    expect(await response.json()).toMatchObject({ error: { code } });
  });

  it('refuses an upstream answer that is not an event stream', async () => {
    const url = await orchestrator((res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<html>');
    });
    const response = await proxyEventStream({
      orchestratorUrl: url,
      accessToken: 't',
      tenantId: 'x',
      signal: new AbortController().signal,
    });
    expect(response.status).toBe(502);
  });

  it('answers 502 when the orchestrator is unreachable or too slow to answer', async () => {
    const down = await proxyEventStream({
      orchestratorUrl: 'http://127.0.0.1:1',
      accessToken: 't',
      tenantId: 'x',
      signal: new AbortController().signal,
    });
    expect(down.status).toBe(502);
    const url = await orchestrator(() => {}); // never answers
    const slow = await proxyEventStream({
      orchestratorUrl: url,
      accessToken: 't',
      tenantId: 'x',
      connectTimeoutMs: 100,
      signal: new AbortController().signal,
    });
    expect(slow.status).toBe(502);
    await closedUpstream;
  });

  it('ends the browser stream when the orchestrator ends its stream', async () => {
    const url = await orchestrator((res) => {
      sse(res);
      res.end();
    });
    const response = await proxyEventStream({
      orchestratorUrl: url,
      accessToken: 't',
      tenantId: 'x',
      signal: new AbortController().signal,
    });
    expect(await response.text()).toContain('event: notification');
  });

  it('ends the browser stream cleanly (no error) when the orchestrator dies mid-stream', async () => {
    const url = await orchestrator((res) => {
      sse(res);
      // The replica dies: the connection is cut without the chunked ending.
      setTimeout(() => res.socket?.destroy(), 50);
    });
    const response = await proxyEventStream({
      orchestratorUrl: url,
      accessToken: 't',
      tenantId: 'x',
      signal: new AbortController().signal,
    });
    // What was relayed stays; the body ends instead of erroring (Next logged "failed to pipe").
    expect(await response.text()).toContain('event: notification');
  });
});

describe('sanitizeLastEventId', () => {
  it('keeps printable ids and drops the rest', () => {
    expect(sanitizeLastEventId('1732650000000-3')).toBe('1732650000000-3');
    expect(sanitizeLastEventId('')).toBeUndefined();
    expect(sanitizeLastEventId(null)).toBeUndefined();
    expect(sanitizeLastEventId('a b')).toBeUndefined();
    expect(sanitizeLastEventId('x'.repeat(201))).toBeUndefined();
  });
});

describe('reconnectDelay', () => {
  it('grows exponentially with jitter and stays under 30 s', () => {
    expect(reconnectDelay(0, () => 0)).toBe(500);
    expect(reconnectDelay(0, () => 1)).toBe(1000);
    expect(reconnectDelay(3, () => 0)).toBe(4000);
    expect(reconnectDelay(20, () => 1)).toBe(30_000);
  });
});

describe('the live provider', () => {
  it('listens to every event the contract names', async () => {
    const { STREAM_EVENT_NAMES } = await import('@afenda/contracts');
    const source = await import('node:fs/promises').then((fs) =>
      fs.readFile(new URL('../../app/app/_shell/live-provider.tsx', import.meta.url), 'utf8'),
    );
    for (const name of STREAM_EVENT_NAMES) expect(source).toContain(`'${name}'`);
  });
});
