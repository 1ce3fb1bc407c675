/** Offboarding: who is disabled in Keycloak leaves the open rooms and gets no meeting token. */
import type { KeycloakUser } from '@afenda/contracts';
import { startIdentityFixture, type IdentityFixture } from '@afenda/orchestrator/testing/fixture';
import { afterAll, beforeAll, expect, it } from 'vitest';

let fx: IdentityFixture;
const uid: Record<string, string> = {};
let acme = '';

beforeAll(async () => {
  fx = await startIdentityFixture({
    env: {
      JITSI_URL: 'https://meet.acme.example',
      JITSI_APP_ID: 'afenda',
      JITSI_APP_SECRET: 'offboard-test-app-secret-0123456789abcdef',
    },
  });
  for (const r of (
    await fx.tdb.admin.query<{ username: string; id: string }>('select username, id from users')
  ).rows)
    uid[r.username] = r.id;
  acme = (await fx.tdb.admin.query<{ id: string }>("select id from tenants where slug = 'acme'"))
    .rows[0]!.id;
});

afterAll(async () => {
  await fx?.close();
});

it('removes a disabled user from the open rooms, says so on the timeline, and refuses their join', async () => {
  const headers = (who: string) =>
    fx.token(who).then((t) => ({ authorization: `Bearer ${t}`, 'x-tenant-id': acme }));
  const created = await fx.app.inject({
    method: 'POST',
    url: '/api/v1/rooms/consultation/create',
    headers: await headers('ada'),
    payload: { participants: [uid.alice, uid.aaron], topic: 'Refund dispute' },
  });
  expect(created.statusCode, created.body).toBe(201);
  const room = (created.json() as { data: { id: string } }).data;
  const aliceToken = await headers('alice');

  await fx.writeUsers((users: KeycloakUser[]) =>
    users.map((u) => (u.username === 'alice' ? { ...u, enabled: false } : u)),
  );
  expect((await fx.sync.reconcileAll('webhook')).status).toBe('succeeded');

  const left = await fx.tdb.admin.query<{ user_id: string }>(
    'select user_id from room_participants where room_id = $1',
    [room.id],
  );
  expect(left.rows.map((r) => r.user_id).sort()).toEqual([uid.aaron, uid.ada].sort());
  const entries = await fx.tdb.admin.query<{ title: string; data: { userId: string } }>(
    "select title, data from activity_timeline where subject_id = $1 and type = 'room.access-revoked'",
    [room.id],
  );
  expect(entries.rows.map((e) => e.data.userId)).toEqual([uid.alice]);
  expect(entries.rows[0]!.title).toMatch(/Refund dispute/);
  const join = await fx.app.inject({
    method: 'GET',
    url: `/api/v1/rooms/${room.id}/join`,
    headers: aliceToken,
  });
  expect(join.statusCode).toBe(401);
  // Aaron, still in, still joins.
  const aaron = await fx.app.inject({
    method: 'GET',
    url: `/api/v1/rooms/${room.id}/join`,
    headers: await headers('aaron'),
  });
  expect(aaron.statusCode, aaron.body).toBe(200);
});
