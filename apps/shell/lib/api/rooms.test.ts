import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';

import { createCall, inTenant, OrchestratorApiError, OrchestratorUnavailableError } from './client';
import { createRoomsApi } from './rooms';

let server: Server | undefined;
const seen: { method?: string; url?: string; authorization?: string; tenant?: string }[] = [];

const TENANT = '33333333-3333-4333-8333-333333333333';
const ROOM = '55555555-5555-4555-8555-555555555555';
const USER = '11111111-1111-4111-8111-111111111111';

async function serve(handler: (req: IncomingMessage, res: ServerResponse) => void) {
  const current = createServer((req, res) => {
    seen.push({
      method: req.method,
      url: req.url,
      authorization: req.headers.authorization,
      tenant: req.headers['x-tenant-id'] as string | undefined,
    });
    handler(req, res);
  });
  server = current;
  await new Promise<void>((resolve) => current.listen(0, '127.0.0.1', resolve));
  const { port } = current.address() as AddressInfo;
  const call = createCall({
    baseUrl: `http://127.0.0.1:${port}/`,
    accessToken: 'token-1',
    // Generous: a loaded test machine must not turn an answer into a timeout.
    timeoutMs: 5_000,
  });
  return createRoomsApi(inTenant(call, TENANT));
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

/** A room as the orchestrator's GET /api/v1/rooms/:id returns it. */
const room = {
  id: ROOM,
  tenantId: TENANT,
  roomName: 'r2gemce3qmblazylrrt6bqvxnz4adma5',
  topic: 'Invoice <b>dispute</b>',
  state: 'open',
  moderatorId: USER,
  participants: [
    { userId: USER, displayName: 'Alice Nguyen', moderator: true, firstJoinedAt: null },
  ],
  approvalId: null,
  createdBy: USER,
  createdAt: '2026-07-13T10:00:00.000Z',
  expiresAt: '2026-07-13T12:00:00.000Z',
  endedAt: null,
  endedBy: null,
};

describe('the rooms API client', () => {
  it('lists rooms in the tenant, with the Jitsi status and the next cursor', async () => {
    const api = await serve(
      json(200, {
        data: [room],
        meta: { requestId: 'r1', nextCursor: 'abc', jitsi: { configured: false, url: null } },
      }),
    );
    const page = await api.list({ state: 'open', limit: 20 });
    expect(page).toEqual({
      rooms: [room],
      nextCursor: 'abc',
      jitsi: { configured: false, url: null },
    });
    expect(seen[0]).toEqual({
      method: 'GET',
      url: '/api/v1/rooms?state=open&limit=20',
      authorization: 'Bearer token-1',
      tenant: TENANT,
    });
  });

  it('joins and ends a room', async () => {
    const join = {
      url: `https://meet.example/${room.roomName}?jwt=x.y.z`,
      token: 'x.y.z',
      roomName: room.roomName,
      jitsiUrl: 'https://meet.example',
      domain: 'meet.example',
      expiresAt: room.expiresAt,
      tokenExpiresAt: '2026-07-13T10:15:00.000Z',
      moderator: true,
      topic: room.topic,
    };
    const api = await serve((req, res) =>
      req.method === 'DELETE'
        ? json(200, { data: { ...room, state: 'ended' }, meta: { requestId: 'r3' } })(req, res)
        : json(200, { data: join, meta: { requestId: 'r2' } })(req, res),
    );
    expect(await api.join(ROOM)).toEqual(join);
    expect((await api.end(ROOM)).state).toBe('ended');
    expect(seen.map((s) => `${s.method} ${s.url}`)).toEqual([
      `GET /api/v1/rooms/${ROOM}/join`,
      `DELETE /api/v1/rooms/${ROOM}`,
    ]);
  });

  it('turns the error envelope into OrchestratorApiError (410: no token)', async () => {
    const api = await serve(
      json(410, {
        error: { code: 'ROOM_EXPIRED', message: 'This room has expired', details: {} },
      }),
    );
    const err = await api.join(ROOM).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OrchestratorApiError);
    expect(err).toMatchObject({ status: 410, code: 'ROOM_EXPIRED' });
  });

  it('says the service is unavailable for anything that is not the API', async () => {
    const html = await serve((_req, res) => {
      res.writeHead(502, { 'content-type': 'text/html' });
      res.end('<html>bad gateway</html>');
    });
    await expect(html.list()).rejects.toBeInstanceOf(OrchestratorUnavailableError);
    const first = server!;
    first.closeAllConnections();
    await new Promise<void>((resolve) => first.close(() => resolve()));
    const wrong = await serve(json(200, { data: [{ id: 'not-a-room' }], meta: {} }));
    await expect(wrong.list()).rejects.toThrow(/Unexpected response body/);
    const down = createRoomsApi(
      inTenant(
        createCall({ baseUrl: 'http://127.0.0.1:1', accessToken: 't', timeoutMs: 200 }),
        TENANT,
      ),
    );
    await expect(down.get(ROOM)).rejects.toBeInstanceOf(OrchestratorUnavailableError);
  });
});
