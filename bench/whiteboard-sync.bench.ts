/**
 * whiteboard-sync: how long a change takes to reach another editor of the same board through
 * the orchestrator's live room (tldraw's TLSocketRoom, with our throttled writes to PostgreSQL
 * running), against a bare WebSocket relay that forwards the same message between the same two
 * clients, in the same run. One change at a time, over loopback; latency from the moment editor
 * A sends its push until editor B holds the broadcast. No fixed goal: the ratio is reported.
 */
import { emptyDocument, tldrawSchema } from '@afenda/module-whiteboard/server/document';
import { geoShape } from '@afenda/module-whiteboard/server/test-documents';
import { LiveSessions } from '@afenda/module-whiteboard/server/live-sessions';
import { createLogger } from '@afenda/orchestrator/logger';
import * as syncCore from '@tldraw/sync-core';
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import pg from 'pg';
import WebSocket, { WebSocketServer } from 'ws';
import { scope, type Defer } from './lib/cleanup.ts';
import { openAppDatabase, startBenchPostgres } from './lib/postgres.ts';
import { readSettings } from './lib/settings.ts';
import { percentile, round } from './lib/stats.ts';
import type { BenchResult, Goal } from './lib/types.ts';

export const name = 'whiteboard-sync';
export const goal: Goal = { description: 'report (p50 latency)', lowerIsBetter: true };

const log = (message: string) => console.log(`bench: whiteboard-sync: ${message}`);
const { getTlsyncProtocolVersion } = syncCore as unknown as { getTlsyncProtocolVersion(): number };

/** The i-th rectangle of a grid: the tests' tldraw shape (every prop its validator requires). */
const shape = (i: number) => geoShape(`s${i}`, (i % 50) * 20, { y: Math.floor(i / 50) * 20 });

/** A client socket whose messages can be awaited by a predicate on their text. */
class Client {
  private waiting: { test: (text: string) => boolean; resolve: () => void } | undefined;
  constructor(readonly ws: WebSocket) {
    ws.on('message', (data: Buffer) => {
      const text = data.toString('utf8');
      if (this.waiting?.test(text)) {
        const { resolve } = this.waiting;
        this.waiting = undefined;
        resolve();
      }
    });
  }
  static async open(url: string): Promise<Client> {
    const ws = new WebSocket(url);
    const client = new Client(ws);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    return client;
  }
  next(test: (text: string) => boolean, timeoutMs = 10_000): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no message in time')), timeoutMs);
      this.waiting = {
        test,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      };
    });
  }
}

/** Sends changes first..first+count-1 from a, each once b holds the previous: milliseconds each. */
async function measure(
  a: Client,
  b: Client,
  first: number,
  count: number,
  message: (i: number) => string,
): Promise<number[]> {
  const samples: number[] = [];
  for (let i = first; i < first + count; i++) {
    const id = `"shape:s${i}"`;
    const arrived = b.next((text) => text.includes(id));
    const t0 = performance.now();
    a.ws.send(message(i));
    await arrived;
    samples.push(performance.now() - t0);
  }
  return samples;
}

async function listen(server: WebSocketServer): Promise<number> {
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  return (server.address() as AddressInfo).port;
}

async function ourRoom(defer: Defer) {
  const embedded = await startBenchPostgres(defer);
  const database = openAppDatabase(embedded, 4, defer);
  const admin = new pg.Client({ connectionString: embedded.adminUrl });
  await admin.connect();
  defer('close the admin client', () => admin.end());
  const { rows } = await admin.query<{ tenant: string; user: string; board: string }>(
    `with t as (insert into tenants (kind, slug, name) values ('organization', 'bench', 'Bench') returning id),
          u as (insert into users (keycloak_id, username, display_name) values ('bench', 'bench', 'Bench') returning id),
          m as (insert into user_tenants (tenant_id, user_id, role) select t.id, u.id, 'member' from t, u),
          b as (insert into whiteboards (tenant_id, title, document, document_bytes)
                select t.id, 'Bench', $1::jsonb, octet_length($1::text) from t returning id)
     select (select id from t) as tenant, (select id from u) as "user", (select id from b) as board`,
    [JSON.stringify(emptyDocument())],
  );
  const { tenant, user, board } = rows[0]!;
  const rooms = new LiveSessions({
    database,
    settings: { maxBytes: 5 * 1024 * 1024, versionIntervalMs: 300_000, maxVersions: 200 },
    logger: createLogger('silent'),
    persistIntervalMs: 2000,
  });
  defer('close the rooms', () => rooms.closeAll());
  // What the route does after the ticket check: the socket joins the board's room.
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  defer('close the room server', () => new Promise<void>((r) => server.close(() => r())));
  server.on('connection', (socket, request) => {
    const sessionId = new URL(request.url ?? '/', 'http://x').searchParams.get('sessionId')!;
    const early: string[] = [];
    const keep = (data: Buffer) => early.push(data.toString('utf8'));
    socket.on('message', keep);
    void rooms
      .connect({
        tenantId: tenant,
        boardId: board,
        userId: user,
        readonly: false,
        sessionId,
        socket,
        early,
      })
      .then(() => socket.off('message', keep));
  });
  const port = await listen(server);
  const open = async () => {
    const client = await Client.open(`ws://127.0.0.1:${port}/?sessionId=${randomUUID()}`);
    const connected = client.next((text) => text.startsWith('{"type":"connect"'));
    client.ws.send(
      JSON.stringify({
        type: 'connect',
        connectRequestId: randomUUID(),
        lastServerClock: -1,
        protocolVersion: getTlsyncProtocolVersion(),
        schema: tldrawSchema.serialize(),
      }),
    );
    await connected;
    return client;
  };
  return { open, admin, board };
}

async function relay(defer: Defer) {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  defer('close the relay', () => new Promise<void>((r) => server.close(() => r())));
  server.on('connection', (socket) => {
    socket.on('message', (data: Buffer) => {
      for (const other of server.clients) if (other !== socket) other.send(data.toString('utf8'));
    });
  });
  const port = await listen(server);
  return () => Client.open(`ws://127.0.0.1:${port}/`);
}

export async function run(): Promise<BenchResult> {
  const { durationS } = readSettings();
  const count = Math.max(100, durationS * 50);
  return scope(async (defer) => {
    const push = (i: number) =>
      JSON.stringify({
        type: 'push',
        clientClock: i + 1,
        diff: { [`shape:s${i}`]: ['put', shape(i)] },
      });

    const room = await ourRoom(defer);
    const [a, b] = [await room.open(), await room.open()];
    await measure(a, b, count, 20, push); // warm-up, other shapes
    const ours = await measure(a, b, 0, count, push);
    a.ws.close();
    b.ws.close();

    const openRelay = await relay(defer);
    const [ra, rb] = [await openRelay(), await openRelay()];
    await measure(ra, rb, count, 20, push);
    const bare = await measure(ra, rb, 0, count, push);
    ra.ws.close();
    rb.ws.close();

    // The last editor left: the room writes the board once more; all shapes must be there.
    const deadline = Date.now() + 10_000;
    let stored = 0;
    while (Date.now() < deadline) {
      const { rows } = await room.admin.query<{ n: number }>(
        `select count(*)::int as n from whiteboards, jsonb_object_keys(document->'store') k
          where id = $1 and k like 'shape:%'`,
        [room.board],
      );
      stored = rows[0]!.n;
      if (stored >= count + 20) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const p = (s: number[], q: number) => round(percentile([...s], q), 2);
    log(
      `${count} changes one at a time: room p50 ${p(ours, 50)} ms, p99 ${p(ours, 99)} ms; ` +
        `bare relay p50 ${p(bare, 50)} ms, p99 ${p(bare, 99)} ms; ${stored} shapes stored`,
    );
    if (stored < count + 20) throw new Error(`only ${stored} of ${count + 20} shapes were stored`);
    return {
      figure: p(ours, 50),
      baseline: p(bare, 50),
      unit: 'ms p50',
      details: {
        changes: count,
        roomP99Ms: p(ours, 99),
        relayP99Ms: p(bare, 99),
        storedShapes: stored,
      },
      extra: [
        {
          key: 'p99',
          goal: { description: 'report', lowerIsBetter: true },
          figure: p(ours, 99),
          baseline: p(bare, 99),
          unit: 'ms p99',
        },
      ],
    };
  });
}
