import type { TestDatabase } from '@afenda/test-utils';
import type { FastifyInstance } from 'fastify';
import { sql } from 'drizzle-orm';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { actInTenant } from '@afenda/db';
import { publishStreamEvent } from '@afenda/platform/stream/publish';
import { startIdentityFixture, type IdentityFixture } from '../../testing/fixture.ts';
import { connectSse, type SseClient, type SseEvent } from '../../testing/sse.ts';

let fx: IdentityFixture;
let tdb: TestDatabase;
let app: FastifyInstance;
let base: string;
const tenant: Record<string, string> = {};
const user: Record<string, string> = {};
const nameOf: Record<string, string> = {};
const tokens: Record<string, string> = {};
const open: SseClient[] = [];

beforeAll(async () => {
  fx = await startIdentityFixture({
    poolMax: 8,
    env: {
      RATE_LIMIT_WRITES: '100000',
      RATE_LIMIT_READS: '100000',
      STREAM_MAX_BUFFER_BYTES: '1000000',
      // Delivery here must come from the commit signal, not from the backstop.
      STREAM_POLL_INTERVAL_MS: '60000',
    },
  });
  ({ tdb, app } = fx);
  await app.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
  for (const u of fx.users.filter((u) => u.id)) tokens[u.username] = await fx.token(u.username);
  const tenants = await tdb.admin.query<{ slug: string; id: string }>(
    "select slug, id from tenants where kind = 'organization'",
  );
  for (const r of tenants.rows) tenant[r.slug] = r.id;
  const users = await tdb.admin.query<{ username: string; id: string; display_name: string }>(
    'select username, id, display_name from users',
  );
  for (const r of users.rows) {
    user[r.username] = r.id;
    nameOf[r.username] = r.display_name;
  }
});

afterAll(async () => {
  for (const c of open) c.close();
  await fx?.close();
});

const orgOf = (username: string) => (username.startsWith('g') ? 'globex' : 'acme');

function as(username: string, org = orgOf(username)) {
  const headers = { authorization: `Bearer ${tokens[username]}`, 'x-tenant-id': tenant[org]! };
  return {
    get: (url: string) => app.inject({ method: 'GET', url, headers }),
    post: (url: string, payload: object = {}) =>
      app.inject({ method: 'POST', url, headers, payload }),
    async stream(extra: Record<string, string> = {}) {
      const client = await connectSse(`${base}/api/v1/stream`, { ...headers, ...extra });
      open.push(client);
      return client;
    },
  };
}

async function escalate(title: string, metadata: object = {}, by = 'alice') {
  const res = await as(by).post('/api/v1/approvals/requests', {
    type: 'ceo_approval',
    title,
    source: 'crm',
    metadata: { conversationId: 42, ...metadata },
    submit: true,
  });
  expect(res.statusCode, res.body).toBe(201);
  return res.json().data as { id: string };
}

const notificationAbout = (id: string, kind: string) => (e: SseEvent) =>
  e.event === 'notification' &&
  (e.data as { subjectId: string; kind: string }).subjectId === id &&
  (e.data as { kind: string }).kind === kind;

describe('notifications from approvals', () => {
  it('a submitted request notifies those who may decide it, not its requester', async () => {
    const a = await escalate('Refund 300 EUR');
    const ada = (await as('ada').get('/api/v1/notifications?unread=true')).json();
    expect(ada.data[0]).toMatchObject({
      kind: 'approval.submitted',
      tenantId: tenant.acme,
      title: `${nameOf.alice} asks for your decision: Refund 300 EUR`,
      subjectType: 'approval',
      subjectId: a.id,
      url: `/app/approvals/${a.id}`,
      readAt: null,
    });
    // Only owners and approvers decide a CEO approval: the admin, the agents and sales do not.
    for (const other of ['alice', 'arjun', 'aaron', 'amelia']) {
      const list = (await as(other).get('/api/v1/notifications')).json().data;
      expect(list, other).toEqual([]);
    }
  });

  it('a decision notifies the requester and the escalating agent, never the decider', async () => {
    const a = await escalate('Waive a fee', { agentUserId: user.aaron });
    const decided = await as('ada').post(`/api/v1/approvals/${a.id}/reject`, {
      reason: 'Not this time.',
    });
    expect(decided.statusCode, decided.body).toBe(200);
    for (const who of ['alice', 'aaron']) {
      const [n] = (await as(who).get('/api/v1/notifications')).json().data;
      expect(n, who).toMatchObject({
        kind: 'approval.decided',
        title: `${nameOf.ada} rejected your request: Waive a fee`,
        body: 'Not this time.',
        subjectId: a.id,
      });
    }
    const ada = (await as('ada').get('/api/v1/notifications')).json().data;
    expect(ada.filter((n: { kind: string }) => n.kind === 'approval.decided')).toEqual([]);
  });

  it('an escalated conversation is named in the titles: who did what, for which customer', async () => {
    const a = await escalate('Escalation: Jane Doe (conversation #9)', { customer: 'Jane Doe' });
    const [asked] = (await as('ada').get('/api/v1/notifications?unread=true')).json().data;
    expect(asked.title).toBe(
      `${nameOf.alice} asks for your decision: Escalation: Jane Doe (conversation #9)`,
    );
    await tdb.admin.query("update approvals set source = 'chatwoot' where id = $1", [a.id]);
    await as('ada').post(`/api/v1/approvals/${a.id}/approve`);
    const [told] = (await as('alice').get('/api/v1/notifications')).json().data;
    expect(told.title).toBe(`${nameOf.ada} approved your escalation for Jane Doe`);
  });

  it('"approval requested" is done for every decider once anyone decides it; their streams are told', async () => {
    await tdb.admin.query(
      'update user_tenants set can_approve = true where user_id = $1 and tenant_id = $2',
      [user.arjun, tenant.acme],
    );
    try {
      const adaStream = await as('ada').stream();
      const a = await escalate('Decided by another');
      const other = await escalate('Still waiting');
      for (const who of ['ada', 'arjun']) {
        const unread = (await as(who).get('/api/v1/notifications?unread=true')).json().data;
        expect(
          unread.map((n: { subjectId: string }) => n.subjectId),
          who,
        ).toEqual(expect.arrayContaining([a.id, other.id]));
      }
      const countBefore = (await as('ada').get('/api/v1/notifications/unread-count')).json().data
        .count;
      // arjun decides: ada's "approval requested" is done too, not only his.
      expect((await as('arjun').post(`/api/v1/approvals/${a.id}/approve`)).statusCode).toBe(200);
      for (const who of ['ada', 'arjun']) {
        const all = (await as(who).get('/api/v1/notifications')).json().data;
        const asked = all.find(
          (n: { subjectId: string; kind: string }) =>
            n.subjectId === a.id && n.kind === 'approval.submitted',
        );
        expect(asked.readAt, who).not.toBeNull();
        const waiting = all.find((n: { subjectId: string }) => n.subjectId === other.id);
        expect(waiting.readAt, `${who}: another request stays unread`).toBeNull();
      }
      expect((await as('ada').get('/api/v1/notifications/unread-count')).json().data.count).toBe(
        countBefore - 1,
      );
      const resolved = await adaStream.next(
        (e) =>
          notificationAbout(a.id, 'approval.submitted')(e) &&
          (e.data as { readAt: string | null }).readAt !== null,
      );
      expect(resolved.data).toMatchObject({ subjectId: a.id, kind: 'approval.submitted' });
      // the requester's own notifications are untouched by it
      expect(
        (await as('alice').get('/api/v1/notifications?unread=true'))
          .json()
          .data.filter((n: { kind: string }) => n.kind === 'approval.submitted'),
      ).toEqual([]);
    } finally {
      await tdb.admin.query(
        'update user_tenants set can_approve = false where user_id = $1 and tenant_id = $2',
        [user.arjun, tenant.acme],
      );
    }
  });

  it('an agent id that is no member of the tenant gets nothing', async () => {
    const a = await escalate('Foreign agent', { agentUserId: user.gloria });
    await as('ada').post(`/api/v1/approvals/${a.id}/approve`);
    const { rows } = await tdb.admin.query(
      'select user_id from notifications where subject_id = $1 and kind = $2',
      [a.id, 'approval.decided'],
    );
    expect(rows).toEqual([{ user_id: user.alice }]);
  });

  it('counts unread, marks one and all read, pages with a cursor', async () => {
    // (decided requests' "approval requested" are read by now: one more that waits)
    await escalate('One more to count');
    const before = (await as('ada').get('/api/v1/notifications/unread-count')).json().data.count;
    expect(before).toBeGreaterThanOrEqual(3);
    const all = (await as('ada').get('/api/v1/notifications?limit=100')).json().data;
    const first = all[0];
    const read = await as('ada').post(`/api/v1/notifications/${first.id}/read`);
    expect(read.statusCode, read.body).toBe(200);
    expect(read.json().data.readAt).not.toBeNull();
    const again = await as('ada').post(`/api/v1/notifications/${first.id}/read`);
    expect(again.json().data.readAt).toBe(read.json().data.readAt);
    expect((await as('ada').get('/api/v1/notifications/unread-count')).json().data.count).toBe(
      before - 1,
    );
    const unread = (await as('ada').get('/api/v1/notifications?unread=true&limit=100')).json();
    expect(unread.data.map((n: { id: string }) => n.id)).not.toContain(first.id);

    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { data: { id: string }[]; meta: { nextCursor: string | null } } = (
        await as('ada').get(`/api/v1/notifications?limit=2${cursor ? `&cursor=${cursor}` : ''}`)
      ).json();
      seen.push(...page.data.map((n) => n.id));
      cursor = page.meta.nextCursor;
    } while (cursor);
    expect(seen).toEqual(all.map((n: { id: string }) => n.id));

    const marked = await as('ada').post('/api/v1/notifications/read-all');
    expect(marked.json().data.marked).toBe(before - 1);
    expect((await as('ada').get('/api/v1/notifications/unread-count')).json().data.count).toBe(0);
  });

  it("refuses another user's notification, another tenant, bad ids and cursors", async () => {
    const [mine] = (await as('ada').get('/api/v1/notifications')).json().data;
    const foreign = await as('alice').post(`/api/v1/notifications/${mine.id}/read`);
    expect(foreign.statusCode).toBe(404);
    expect(foreign.json().error.code).toBe('NOTIFICATION_NOT_FOUND');
    expect((await as('gloria', 'acme').get('/api/v1/notifications')).statusCode).toBe(404);
    expect((await as('ada').post('/api/v1/notifications/nope/read')).statusCode).toBe(400);
    const cursor = await as('ada').get('/api/v1/notifications?cursor=garbage');
    expect(cursor.statusCode).toBe(400);
    expect(cursor.json().error.code).toBe('CURSOR_INVALID');
  });

  it('the database keeps notifications per tenant and per user (RLS)', async () => {
    const client = new pg.Client({ connectionString: tdb.appUrl });
    await client.connect();
    const count = async (tenantId: string, userId: string) => {
      await client.query('begin');
      await client.query(
        "select set_config('app.tenant_id', $1, true), set_config('app.user_id', $2, true)",
        [tenantId, userId],
      );
      const n = (await client.query('select count(*)::int as n from notifications')).rows[0].n;
      const s = (
        await client.query(
          "select count(*)::int as n from stream_events where name = 'notification'",
        )
      ).rows[0].n;
      await client.query('rollback');
      return { n, s };
    };
    try {
      const { rows } = await tdb.admin.query<{ n: number }>(
        'select count(*)::int as n from notifications where tenant_id = $1 and user_id = $2',
        [tenant.acme, user.ada],
      );
      expect(await count(tenant.acme!, user.ada!)).toMatchObject({ n: rows[0]!.n });
      expect((await count(tenant.acme!, user.amelia!)).n).toBe(0);
      expect(await count(tenant.globex!, user.ada!)).toEqual({ n: 0, s: 0 });
      // Nobody else's notifications on the stream's log either.
      expect((await count(tenant.acme!, user.amelia!)).s).toBe(0);
      // Raised only in the transaction's own tenant.
      await client.query('begin');
      await client.query("select set_config('app.tenant_id', $1, true)", [tenant.globex]);
      await expect(
        client.query(
          "insert into notifications (tenant_id, user_id, kind, title, subject_type, subject_id, url) values ($1, $2, 'x', 'x', 'x', 'x', '/')",
          [tenant.acme, user.ada],
        ),
      ).rejects.toThrow(/row-level security/);
      await client.query('rollback');
      // The log is expired only by the fan-out (app.fanout): a tenant's transaction deletes nothing.
      await client.query('begin');
      await client.query("select set_config('app.tenant_id', $1, true)", [tenant.acme]);
      expect((await client.query('delete from stream_events')).rowCount).toBe(0);
      await client.query("select set_config('app.fanout', 'on', true)");
      expect((await client.query('delete from stream_events')).rowCount).toBeGreaterThan(0);
      await client.query('rollback');
    } finally {
      await client.end();
    }
  });
});

describe('the live stream', () => {
  it('carries notifications, approvals and activity to the right users only', async () => {
    const ada = await as('ada').stream();
    // EventSource cannot set headers: the tenant may come as a query parameter.
    const alice = await connectSse(`${base}/api/v1/stream?tenant=${tenant.acme}`, {
      authorization: `Bearer ${tokens.alice}`,
    });
    open.push(alice);
    const gloria = await as('gloria').stream();
    expect([ada.status, alice.status, gloria.status]).toEqual([200, 200, 200]);

    const a = await escalate('Live one');
    const n = await ada.next(notificationAbout(a.id, 'approval.submitted'));
    expect(n.data).toMatchObject({
      title: `${nameOf.alice} asks for your decision: Live one`,
      readAt: null,
    });
    await ada.next((e) => e.event === 'approval' && (e.data as { id: string }).id === a.id);
    await ada.next(
      (e) => e.event === 'activity' && (e.data as { subjectId: string }).subjectId === a.id,
    );
    await as('ada').post(`/api/v1/approvals/${a.id}/approve`);
    await alice.next(notificationAbout(a.id, 'approval.decided'));
    await alice.next(
      (e) => e.event === 'approval' && (e.data as { status: string }).status === 'approved',
    );
    // alice never gets ada's notifications, and Globex gets nothing of Acme's.
    expect(alice.events.filter(notificationAbout(a.id, 'approval.submitted'))).toEqual([]);
    expect(gloria.events).toEqual([]);
    // Event ids increase in delivery order.
    const ids = ada.events.map((e) => BigInt(e.id!));
    for (let i = 1; i < ids.length; i++) expect(ids[i]! > ids[i - 1]!).toBe(true);
    ada.close();
    alice.close();
  });

  it('resumes by Last-Event-ID with exactly what was missed', async () => {
    const first = await as('ada').stream();
    const a = await escalate('Before the drop');
    const seen = await first.next(notificationAbout(a.id, 'approval.submitted'));
    const lastId = first.lastEventId!;
    first.close();
    await first.closed;
    const missed = [await escalate('Missed 1'), await escalate('Missed 2')];
    const resumed = await as('ada').stream({ 'last-event-id': lastId });
    for (const m of missed) await resumed.next(notificationAbout(m.id, 'approval.submitted'));
    expect(resumed.events.some((e) => e.id === seen.id)).toBe(false);
    const { rows } = await tdb.admin.query<{ pos: string }>(
      `select seq::text as pos from stream_events
       where tenant_id = $1 and (user_id is null or user_id = $2) and seq > $3::bigint
       order by seq`,
      [tenant.acme, user.ada, lastId],
    );
    await resumed.next((e) => e.id === rows.at(-1)!.pos);
    expect(resumed.events.map((e) => e.id)).toEqual(rows.map((r) => r.pos));
    resumed.close();
  });

  it('hands out events in commit order: a long transaction holds back no other, a resume misses none', async () => {
    const ada = await as('ada').stream();
    let commitEarlier!: () => void;
    const held = new Promise<void>((r) => (commitEarlier = r));
    let started!: () => void;
    const inside = new Promise<void>((r) => (started = r));
    const earlier = tdb.database.withTenant(tenant.acme!, async (tx) => {
      // It has written (so it has its transaction id) before the later one starts.
      await tx.execute(sql`select pg_current_xact_id()`);
      await publishStreamEvent(tx, {
        tenantId: tenant.acme!,
        userId: null,
        name: 'conversation',
        subject: { n: 'earlier' },
      });
      started();
      await held;
    });
    await inside;
    await tdb.database.withTenant(tenant.acme!, (tx) =>
      publishStreamEvent(tx, {
        tenantId: tenant.acme!,
        userId: null,
        name: 'conversation',
        subject: { n: 'later' },
      }),
    );
    // "later" committed first: it goes out while "earlier" is still open.
    await ada.next((e) => (e.data as { n?: string }).n === 'later');
    const afterLater = ada.lastEventId!;
    commitEarlier();
    await earlier;
    await ada.next((e) => (e.data as { n?: string }).n === 'earlier');
    expect(
      ada.events.filter((e) => e.event === 'conversation').map((e) => (e.data as { n: string }).n),
    ).toEqual(['later', 'earlier']);
    // It was numbered after "later": a client that had "later" and resumes still gets it.
    const resumed = await as('ada').stream({ 'last-event-id': afterLater });
    await resumed.next((e) => (e.data as { n?: string }).n === 'earlier');
    expect(resumed.events.some((e) => (e.data as { n?: string }).n === 'later')).toBe(false);
    ada.close();
    resumed.close();
  });

  it('keeps every event of concurrent writers, in increasing order, and a resume gets exactly the rest', async () => {
    const ada = await as('ada').stream();
    const n = 40;
    await Promise.all(
      Array.from({ length: n }, (_, i) =>
        tdb.database.withTenant(tenant.acme!, async (tx) => {
          await publishStreamEvent(tx, {
            tenantId: tenant.acme!,
            userId: null,
            name: 'conversation',
            subject: { burst: i },
          });
          // Some take longer to commit than others.
          await new Promise((r) => setTimeout(r, (i * 7) % 23));
        }),
      ),
    );
    const burst = (e: { event?: string; data: unknown }) =>
      e.event === 'conversation' && typeof (e.data as { burst?: number }).burst === 'number';
    for (let i = 0; i < n; i++)
      await ada.next((e) => burst(e) && (e.data as { burst: number }).burst === i);
    const got = ada.events.filter(burst);
    expect(got).toHaveLength(n);
    const ids = got.map((e) => BigInt(e.id!));
    for (let i = 1; i < ids.length; i++) expect(ids[i]! > ids[i - 1]!).toBe(true);
    const resumed = await as('ada').stream({ 'last-event-id': got[9]!.id! });
    for (const e of got.slice(10)) await resumed.next((r) => r.id === e.id);
    expect(resumed.events.filter(burst).map((e) => e.id)).toEqual(got.slice(10).map((e) => e.id));
    ada.close();
    resumed.close();
  });

  it('takes a Last-Event-ID of the old numbering as a new stream (from now)', async () => {
    const old = await as('ada').stream({ 'last-event-id': '812-34' });
    expect(old.status).toBe(200);
    const a = await escalate('After an upgrade');
    await old.next(notificationAbout(a.id, 'approval.submitted'));
    old.close();
  });

  it('a transaction that acts in several tenants publishes to each (a Matrix transaction)', async () => {
    const ada = await as('ada').stream();
    const globex = await as('gloria').stream();
    await tdb.database.transaction({ service: 'jobs' }, async (tx) => {
      await actInTenant(tx, tenant.acme!);
      await publishStreamEvent(tx, {
        tenantId: tenant.acme!,
        userId: null,
        name: 'conversation',
        subject: { n: 'to acme' },
      });
      await actInTenant(tx, tenant.globex!);
      await publishStreamEvent(tx, {
        tenantId: tenant.globex!,
        userId: null,
        name: 'conversation',
        subject: { n: 'to globex' },
      });
      // It ends in neither: each tenant's events are still written under its own policy.
      await actInTenant(tx, '');
    });
    await ada.next((e) => (e.data as { n?: string }).n === 'to acme');
    await globex.next((e) => (e.data as { n?: string }).n === 'to globex');
    const seen = (c: SseClient) =>
      c.events.filter((e) => e.event === 'conversation').map((e) => (e.data as { n: string }).n);
    expect(seen(ada)).not.toContain('to globex');
    expect(seen(globex)).not.toContain('to acme');
    ada.close();
    globex.close();
  });

  it('ends a stream when the token that opened it expires', async () => {
    const short = await fx.token('ada', { exp: Math.floor(Date.now() / 1000) + 2 });
    const client = await connectSse(`${base}/api/v1/stream`, {
      authorization: `Bearer ${short}`,
      'x-tenant-id': tenant.acme!,
    });
    open.push(client);
    expect(client.status).toBe(200);
    await client.closed;
  });

  it('refuses a bad Last-Event-ID, a missing or foreign tenant, and no token', async () => {
    const bad = await as('ada').stream({ 'last-event-id': 'drop table' });
    expect(bad.status).toBe(400);
    const noTenant = await connectSse(`${base}/api/v1/stream`, {
      authorization: `Bearer ${tokens.ada}`,
    });
    expect(noTenant.status).toBe(400);
    const foreign = await connectSse(`${base}/api/v1/stream?tenant=${tenant.globex}`, {
      authorization: `Bearer ${tokens.ada}`,
    });
    expect(foreign.status).toBe(404);
    const anonymous = await connectSse(`${base}/api/v1/stream?tenant=${tenant.acme}`, {});
    expect(anonymous.status).toBe(401);
  });

  it('cuts off a client that does not read, which then resumes with nothing lost', async () => {
    const reader = await as('ada').stream();
    const warm = await escalate('Before the flood');
    const start = await reader.next(notificationAbout(warm.id, 'approval.submitted'));
    // A raw client that reads the response head and then nothing more. It comes in over a
    // Unix socket handed to the app's HTTP server: there the kernel holds only ~200 kB in
    // flight (TCP on loopback would soak up tens of MB before our buffer grew).
    const dir = await mkdtemp(path.join(tmpdir(), 'afenda-slow-'));
    const sockPath = path.join(dir, 'app.sock');
    const relay = net.createServer((c) => app.server.emit('connection', c));
    await new Promise<void>((r) => relay.listen(sockPath, r));
    const socket = net.connect(sockPath);
    const cut = new Promise<void>((resolve) => {
      socket.on('close', () => resolve());
      socket.on('error', () => resolve());
    });
    socket.write(
      `GET /api/v1/stream HTTP/1.1\r\nhost: x\r\nauthorization: Bearer ${tokens.ada}\r\n` +
        `x-tenant-id: ${tenant.acme}\r\nlast-event-id: ${start.id}\r\n\r\n`,
    );
    await new Promise<void>((resolve) => socket.once('data', () => resolve()));
    socket.pause();
    // Big events (the approval carries its metadata): the kernel's buffers fill, then ours.
    const blob = 'x'.repeat(200_000);
    const flood: string[] = [];
    for (let i = 0; i < 12; i++) flood.push((await escalate(`Flood ${i}`, { blob })).id);
    // Now read: what the server had sent arrives, then the end: it hung up on us.
    let received = '';
    socket.on('data', (chunk: Buffer) => (received += chunk.toString('utf8')));
    socket.resume();
    await cut;
    expect(received).toContain(flood[0]);
    expect(received).not.toContain(flood.at(-1));
    const metrics = (await app.inject({ method: 'GET', url: '/metrics' })).body;
    expect(metrics).toMatch(/^afenda_stream_clients_cut_off_total [1-9]/m);
    relay.close();
    await rm(dir, { recursive: true, force: true });
    // The reading client got everything; a new connection from the same id gets it all again.
    const again = await as('ada').stream({ 'last-event-id': start.id! });
    for (const id of flood) await again.next(notificationAbout(id, 'approval.submitted'), 20_000);
    reader.close();
    again.close();
  });
});
