import type { Room } from '@afenda/contracts';
import type { TestDatabase } from '@afenda/test-utils';
import type { FastifyInstance, InjectOptions } from 'fastify';
import { jwtVerify } from 'jose';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTokenVerifier } from '@afenda/orchestrator/auth/verify-token';
import { startIdentityFixture, type IdentityFixture } from '@afenda/orchestrator/testing/fixture';
import { buildTestApp } from '@afenda/orchestrator/testing/app';
import { expireDueRooms } from './expire-rooms.ts';

const SECRET = 'rooms-test-app-secret-0123456789abcdef';
const JITSI = {
  JITSI_URL: 'https://meet.acme.example',
  JITSI_APP_ID: 'afenda',
  JITSI_APP_SECRET: SECRET,
};

let fx: IdentityFixture;
let tdb: TestDatabase;
let app: FastifyInstance;
const tenant: Record<string, string> = {};
const tokens: Record<string, string> = {};
/** Internal user ids (users.id), by username. */
const uid: Record<string, string> = {};

beforeAll(async () => {
  fx = await startIdentityFixture({
    env: { RATE_LIMIT_WRITES: '100000', RATE_LIMIT_READS: '100000', ...JITSI },
  });
  ({ tdb, app } = fx);
  for (const u of fx.users.filter((u) => u.id)) tokens[u.username] = await fx.token(u.username);
  const orgs = await tdb.admin.query<{ slug: string; id: string }>(
    "select slug, id from tenants where kind = 'organization'",
  );
  for (const r of orgs.rows) tenant[r.slug] = r.id;
  const users = await tdb.admin.query<{ username: string; id: string }>(
    'select username, id from users',
  );
  for (const r of users.rows) uid[r.username] = r.id;
});

afterAll(async () => {
  await fx?.close();
});

function as(username: string, org = username.startsWith('g') ? 'globex' : 'acme', on = app) {
  const send = (method: InjectOptions['method'], url: string, payload?: object, extra = {}) =>
    on.inject({
      method,
      url,
      headers: {
        authorization: `Bearer ${tokens[username]}`,
        'x-tenant-id': tenant[org]!,
        ...extra,
      },
      ...(payload ? { payload } : {}),
    });
  return {
    get: (url: string) => send('GET', url),
    post: (url: string, payload: object = {}, extra: Record<string, string> = {}) =>
      send('POST', url, payload, extra),
    delete: (url: string) => send('DELETE', url),
  };
}

async function openRoom(by: string, body: object) {
  const res = await as(by).post('/api/v1/rooms/consultation/create', body);
  expect(res.statusCode, res.body).toBe(201);
  return res.json().data as Room;
}

async function activity(roomId: string) {
  const { rows } = await tdb.admin.query<{ type: string; actor_id: string | null }>(
    'select type, actor_id from activity_timeline where subject_id = $1 order by occurred_at, type',
    [roomId],
  );
  return rows;
}

describe('opening a room', () => {
  it('gives it an unguessable name, the default expiry, a moderator and its participants', async () => {
    const before = Date.now();
    const room = await openRoom('ada', { participants: [uid.alice], topic: 'Refund dispute' });
    expect(room).toMatchObject({
      state: 'open',
      topic: 'Refund dispute',
      moderatorId: uid.ada,
      createdBy: uid.ada,
      approvalId: null,
      tenantId: tenant.acme,
      participants: [
        { userId: uid.ada, moderator: true, firstJoinedAt: null },
        { userId: uid.alice, moderator: false, firstJoinedAt: null },
      ],
    });
    expect(room.roomName).toMatch(/^[a-z2-7]{32}$/); // 160 random bits
    const ttl = new Date(room.expiresAt).getTime() - before;
    expect(ttl).toBeGreaterThan(119 * 60_000);
    expect(ttl).toBeLessThan(121 * 60_000);
    expect(await activity(room.id)).toEqual([{ type: 'room.created', actor_id: uid.ada }]);
  });

  it('is for owners, admins and approvers; members ask through an approval', async () => {
    const refused = await as('alice').post('/api/v1/rooms/consultation/create', {
      participants: [uid.aaron],
    });
    expect(refused.statusCode).toBe(403);
    expect(refused.json().error.code).toBe('ROOM_APPROVAL_REQUIRED');
    const byAdmin = await openRoom('arjun', {
      participants: [uid.alice],
      moderator: uid.alice,
      durationMinutes: 30,
    });
    expect(byAdmin.participants.map((p) => p.userId)).toEqual([uid.alice]);
    expect(byAdmin).toMatchObject({ moderatorId: uid.alice, createdBy: uid.arjun });
  });

  it('refuses bad input with the error envelope and a 4xx', async () => {
    const post = (body: object) => as('ada').post('/api/v1/rooms/consultation/create', body);
    for (const body of [
      {},
      { participants: [] },
      { participants: ['not-a-uuid'] },
      { participants: [uid.alice], durationMinutes: 1 },
      { participants: [uid.alice], durationMinutes: '60' },
      { participants: [uid.alice], extra: true },
      { participants: Array.from({ length: 51 }, () => uid.alice) },
    ]) {
      const res = await post(body);
      expect(res.statusCode, JSON.stringify(body)).toBe(400);
      expect(res.json().error).toMatchObject({ code: 'VALIDATION_FAILED' });
    }
    const stranger = await post({ participants: [uid.alice, uid.gloria] });
    expect(stranger.statusCode).toBe(400);
    expect(stranger.json().error).toMatchObject({
      code: 'ROOM_PARTICIPANT_NOT_MEMBER',
      details: { userIds: [uid.gloria] },
    });
    const badModerator = await post({ participants: [uid.alice], moderator: uid.gita });
    expect(badModerator.json().error.details).toEqual({ userIds: [uid.gita] });
    const notJson = await app.inject({
      method: 'POST',
      url: '/api/v1/rooms/consultation/create',
      headers: {
        authorization: `Bearer ${tokens.ada}`,
        'x-tenant-id': tenant.acme!,
        'content-type': 'text/plain',
      },
      payload: 'participants',
    });
    expect(notJson.statusCode).toBe(415);
    for (const url of ['/api/v1/rooms/123', '/api/v1/rooms/123/join', '/api/v1/rooms?cursor=x']) {
      const res = await as('ada').get(url);
      expect(res.statusCode, url).toBe(400);
      expect(res.json().error.code).toMatch(/VALIDATION_FAILED|CURSOR_INVALID/);
    }
    const noTenant = await app.inject({
      method: 'GET',
      url: '/api/v1/rooms',
      headers: { authorization: `Bearer ${tokens.ada}` },
    });
    expect(noTenant.json().error.code).toBe('TENANT_REQUIRED');
  });

  it('replays a retried request with the same Idempotency-Key: one room', async () => {
    const body = { participants: [uid.aaron], topic: 'Idempotent' };
    const key = { 'idempotency-key': 'room-create-1' };
    const first = await as('ada').post('/api/v1/rooms/consultation/create', body, key);
    const again = await as('ada').post('/api/v1/rooms/consultation/create', body, key);
    expect(again.statusCode).toBe(201);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.json().data.id).toBe(first.json().data.id);
    const { rows } = await tdb.admin.query("select 1 from rooms where topic = 'Idempotent'");
    expect(rows).toHaveLength(1);
  });
});

describe('joining a room', () => {
  it("gives each participant their own token for the room, the moderator's alone flagged", async () => {
    const room = await openRoom('ada', { participants: [uid.alice], topic: 'Tokens' });
    const res = await as('alice').get(`/api/v1/rooms/${room.id}/join`);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    const join = res.json().data;
    expect(join).toMatchObject({
      roomName: room.roomName,
      jitsiUrl: 'https://meet.acme.example',
      domain: 'meet.acme.example',
      expiresAt: room.expiresAt,
      moderator: false,
      topic: 'Tokens',
    });
    expect(join.url).toBe(`https://meet.acme.example/${room.roomName}?jwt=${join.token}`);
    const { payload, protectedHeader } = await jwtVerify(
      join.token,
      new TextEncoder().encode(SECRET),
      { algorithms: ['HS256'], issuer: 'afenda', audience: 'afenda' },
    );
    expect(protectedHeader).toEqual({ alg: 'HS256', typ: 'JWT' });
    expect(payload).toMatchObject({
      room: room.roomName,
      sub: 'meet.acme.example',
      context: {
        user: { id: uid.alice, name: 'Alice Nguyen', email: 'alice@acme.example' },
        group: tenant.acme,
      },
    });
    expect((payload.context as { user: object }).user).not.toHaveProperty('moderator');
    expect(payload.exp! * 1000).toBeLessThanOrEqual(new Date(room.expiresAt).getTime());
    expect(new Date(join.tokenExpiresAt).getTime()).toBe(payload.exp! * 1000);

    const mod = (await as('ada').get(`/api/v1/rooms/${room.id}/join`)).json().data;
    expect(mod.moderator).toBe(true);
    const { payload: modClaims } = await jwtVerify(mod.token, new TextEncoder().encode(SECRET));
    expect((modClaims.context as { user: object }).user).toMatchObject({
      id: uid.ada,
      moderator: 'true',
    });

    // The first join of each participant goes on the timeline; later ones don't.
    await as('alice').get(`/api/v1/rooms/${room.id}/join`);
    expect(await activity(room.id)).toEqual([
      { type: 'room.created', actor_id: uid.ada },
      { type: 'room.joined', actor_id: uid.alice },
      { type: 'room.joined', actor_id: uid.ada },
    ]);
    const seen = (await as('alice').get(`/api/v1/rooms/${room.id}`)).json().data;
    expect(seen.participants.every((p: { firstJoinedAt: string | null }) => p.firstJoinedAt)).toBe(
      true,
    );
  });

  it('is 404 for a non-participant, whoever they are, and for another tenant', async () => {
    const room = await openRoom('ada', { participants: [uid.alice] });
    const notIn = await as('aaron').get(`/api/v1/rooms/${room.id}/join`);
    expect(notIn.statusCode).toBe(404);
    expect(notIn.json().error.code).toBe('ROOM_NOT_FOUND');
    expect(notIn.body).not.toMatch(/eyJ/);
    expect((await as('aaron').get(`/api/v1/rooms/${room.id}`)).statusCode).toBe(404);
    // An admin oversees the room but is not in it: no token.
    expect((await as('arjun').get(`/api/v1/rooms/${room.id}`)).statusCode).toBe(200);
    expect((await as('arjun').get(`/api/v1/rooms/${room.id}/join`)).statusCode).toBe(404);
    // Globex's owner, in Globex: the room doesn't exist there.
    for (const path of [`/api/v1/rooms/${room.id}`, `/api/v1/rooms/${room.id}/join`]) {
      const res = await as('gloria').get(path);
      expect(res.statusCode, path).toBe(404);
      expect(res.json().error.code).toBe('ROOM_NOT_FOUND');
    }
    expect((await as('gloria').delete(`/api/v1/rooms/${room.id}`)).statusCode).toBe(404);
    // ... and naming Acme, which she isn't in: the tenant doesn't exist for her.
    const acme = await as('gloria', 'acme').get(`/api/v1/rooms/${room.id}/join`);
    expect(acme.statusCode).toBe(404);
    expect(acme.json().error.code).toBe('TENANT_NOT_FOUND');
  });

  it('is 410 with no token once the room expired, and the sweeper records the expiry once', async () => {
    const room = await openRoom('ada', { participants: [uid.alice], topic: 'Short' });
    await tdb.admin.query(
      "update rooms set expires_at = now() - interval '1 second' where id = $1",
      [room.id],
    );
    const gone = await as('alice').get(`/api/v1/rooms/${room.id}/join`);
    expect(gone.statusCode).toBe(410);
    expect(gone.json().error).toMatchObject({
      code: 'ROOM_EXPIRED',
      details: { state: 'expired' },
    });
    expect(gone.body).not.toMatch(/token|eyJ/);
    // Expired on the clock even before the sweeper runs.
    expect((await as('alice').get(`/api/v1/rooms/${room.id}`)).json().data.state).toBe('expired');

    const first = await expireDueRooms(tdb.database);
    expect(first.ran).toBe(true);
    expect(first.expired).toBeGreaterThanOrEqual(1);
    expect(await expireDueRooms(tdb.database)).toEqual({ ran: true, expired: 0 });
    const { rows } = await tdb.admin.query('select status, ended_at from rooms where id = $1', [
      room.id,
    ]);
    expect(rows[0]).toMatchObject({ status: 'expired' });
    expect(await activity(room.id)).toEqual([
      { type: 'room.created', actor_id: uid.ada },
      { type: 'room.expired', actor_id: null },
    ]);
    expect((await as('alice').get(`/api/v1/rooms/${room.id}/join`)).statusCode).toBe(410);
  });

  it('sweeps on one instance at a time (the advisory lock)', async () => {
    const other = new pg.Client({ connectionString: tdb.adminUrl });
    await other.connect();
    try {
      await other.query('begin');
      await other.query("select pg_advisory_xact_lock(hashtextextended('afenda.rooms.expire', 0))");
      expect(await expireDueRooms(tdb.database)).toEqual({ ran: false, expired: 0 });
      await other.query('commit');
      expect((await expireDueRooms(tdb.database)).ran).toBe(true);
    } finally {
      await other.end();
    }
  });
});

describe('ending a room', () => {
  it('is for its moderator (or an admin), once; no token afterwards', async () => {
    const room = await openRoom('ada', { participants: [uid.alice] });
    const notMod = await as('alice').delete(`/api/v1/rooms/${room.id}`);
    expect(notMod.statusCode).toBe(403);
    const ended = await as('ada').delete(`/api/v1/rooms/${room.id}`);
    expect(ended.statusCode, ended.body).toBe(200);
    expect(ended.json().data).toMatchObject({ state: 'ended', endedBy: uid.ada });
    const again = await as('ada').delete(`/api/v1/rooms/${room.id}`);
    expect(again.statusCode).toBe(409);
    expect(again.json().error).toMatchObject({
      code: 'ROOM_NOT_OPEN',
      details: { state: 'ended' },
    });
    const join = await as('alice').get(`/api/v1/rooms/${room.id}/join`);
    expect(join.statusCode).toBe(410);
    expect(join.json().error.code).toBe('ROOM_ENDED');
    expect(await activity(room.id)).toEqual([
      { type: 'room.created', actor_id: uid.ada },
      { type: 'room.ended', actor_id: uid.ada },
    ]);
  });
});

describe('a consultation_room approval', () => {
  it('opens its room when approved, exactly once even when the effect is retried', async () => {
    const created = await as('alice').post('/api/v1/approvals/requests', {
      type: 'consultation_room',
      title: 'Call with the customer about the invoice',
      metadata: { participants: [uid.aaron, uid.gloria], durationMinutes: 45, topic: 'Invoice' },
      submit: true,
    });
    expect(created.statusCode, created.body).toBe(201);
    const approval = created.json().data;
    const approved = await as('ada').post(`/api/v1/approvals/${approval.id}/approve`);
    expect(approved.statusCode, approved.body).toBe(200);

    const rooms = await tdb.admin.query<{ id: string; moderator_id: string; minutes: number }>(
      `select id, moderator_id, round(extract(epoch from expires_at - created_at) / 60) as minutes
         from rooms where approval_id = $1`,
      [approval.id],
    );
    expect(rooms.rows).toHaveLength(1);
    const room = rooms.rows[0]!;
    expect(room).toMatchObject({ moderator_id: uid.alice, minutes: '45' });
    const got = (await as('aaron').get(`/api/v1/rooms/${room.id}`)).json().data;
    expect(got).toMatchObject({ approvalId: approval.id, topic: 'Invoice', createdBy: uid.ada });
    // Globex's gloria isn't an Acme member: left out, and said so on the timeline.
    expect(got.participants.map((p: { userId: string }) => p.userId).sort()).toEqual(
      [uid.alice, uid.aaron].sort(),
    );
    const entry = await tdb.admin.query<{ data: { leftOut: string[] } }>(
      "select data from activity_timeline where subject_id = $1 and type = 'room.created'",
      [room.id],
    );
    expect(entry.rows[0]!.data.leftOut).toEqual([uid.gloria]);

    // The effect again, as a retry would run it (in a transaction of its own, twice): no new room.
    const decided = (await as('ada').get(`/api/v1/approvals/${approval.id}`)).json().data;
    for (let i = 0; i < 2; i++)
      await tdb.database.withTenant(
        tenant.acme!,
        (tx) => fx.orchestrator.platform.approvals.run('decided', tx, decided),
        uid.ada,
      );
    // ... and concurrently, in five transactions at once: the unique index serialises them.
    await Promise.all(
      Array.from({ length: 5 }, () =>
        tdb.database.withTenant(
          tenant.acme!,
          (tx) => fx.orchestrator.platform.approvals.run('decided', tx, decided),
          uid.ada,
        ),
      ),
    );
    const after = await tdb.admin.query('select id from rooms where approval_id = $1', [
      approval.id,
    ]);
    expect(after.rows).toEqual([{ id: room.id }]);
    expect((await activity(room.id)).filter((a) => a.type === 'room.created')).toHaveLength(1);
  });

  it('opens nothing when rejected, and refuses participants that are not user ids', async () => {
    const bad = await as('alice').post('/api/v1/approvals/requests', {
      type: 'consultation_room',
      title: 'x',
      metadata: { participants: ['bob'] },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.code).toBe('APPROVAL_METADATA_INVALID');
    const created = (
      await as('alice').post('/api/v1/approvals/requests', {
        type: 'consultation_room',
        title: 'Not needed',
        metadata: { participants: [uid.aaron] },
        submit: true,
      })
    ).json().data;
    await as('ada').post(`/api/v1/approvals/${created.id}/reject`, { reason: 'No' });
    const { rows } = await tdb.admin.query('select 1 from rooms where approval_id = $1', [
      created.id,
    ]);
    expect(rows).toHaveLength(0);
  });
});

describe('the list of rooms', () => {
  it('shows members their rooms and owners all, newest first, page by page', async () => {
    const mine = await openRoom('ada', { participants: [uid.amelia], topic: 'Amelia 1' });
    const mine2 = await openRoom('ada', { participants: [uid.amelia], topic: 'Amelia 2' });
    const list = await as('amelia').get('/api/v1/rooms?limit=1');
    expect(list.statusCode).toBe(200);
    const page1 = list.json();
    expect(page1.data.map((r: { id: string }) => r.id)).toEqual([mine2.id]);
    expect(page1.meta.jitsi).toEqual({ configured: true, url: 'https://meet.acme.example' });
    const page2 = (
      await as('amelia').get(`/api/v1/rooms?limit=1&cursor=${page1.meta.nextCursor}`)
    ).json();
    expect(page2.data.map((r: { id: string }) => r.id)).toEqual([mine.id]);
    expect(page2.meta.nextCursor).toBeNull();

    const all = (await as('ada').get('/api/v1/rooms?limit=100')).json().data;
    expect(all.length).toBeGreaterThan(2);
    expect(all.every((r: { tenantId: string }) => r.tenantId === tenant.acme)).toBe(true);
    const globex = (await as('gloria').get('/api/v1/rooms')).json().data;
    expect(globex).toEqual([]);

    await as('ada').delete(`/api/v1/rooms/${mine.id}`);
    const open = (await as('amelia').get('/api/v1/rooms?state=open')).json().data;
    expect(open.map((r: { id: string }) => r.id)).toEqual([mine2.id]);
    const ended = (await as('amelia').get('/api/v1/rooms?state=ended')).json().data;
    expect(ended.map((r: { id: string }) => r.id)).toEqual([mine.id]);
    expect((await as('amelia').get('/api/v1/rooms?state=gone')).statusCode).toBe(400);
  });
});

describe('without Jitsi configured', () => {
  it('lists rooms, says Jitsi is not configured, and issues no token (503)', async () => {
    const verify = createTokenVerifier({
      issuer: fx.issuer.issuer,
      audience: 'afenda-orchestrator',
      allowedClients: ['afenda-shell'],
      algorithms: ['RS256'],
      clockToleranceSeconds: 5,
      cooldownSeconds: 30,
    });
    const { app: bare } = await buildTestApp({
      database: tdb.database,
      auth: { verify, sync: fx.sync },
    });
    try {
      const room = await openRoom('ada', { participants: [uid.alice] });
      const list = (await as('alice', 'acme', bare).get('/api/v1/rooms')).json();
      expect(list.meta.jitsi).toEqual({ configured: false, url: null });
      const join = await as('alice', 'acme', bare).get(`/api/v1/rooms/${room.id}/join`);
      expect(join.statusCode).toBe(503);
      expect(join.json().error.code).toBe('JITSI_NOT_CONFIGURED');
      expect(join.json().error.message).toMatch(/JITSI_URL/);
    } finally {
      await bare.close();
    }
  });
});
