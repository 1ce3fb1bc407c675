/**
 * The video module's tables (migrations/0008_rooms.sql, on the foundation's rooms), through the
 * data layer as the application role: each tenant sees its own rooms only, the expiry sweeper
 * alone reads across tenants, one moderator a room. Kept here so the tests go with the module.
 */
import { createTestDatabase, type TestDatabase } from '@afenda/test-utils';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rooms, roomParticipants } from './server/schema.ts';

let tdb: TestDatabase;
let acme: string;
let globex: string;
let carol: string;
let dave: string;

/** A room name the length check accepts (26 to 64 characters). */
const roomName = (label: string) => `afenda-${label}-`.padEnd(30, 'x');
const inAnHour = () => new Date(Date.now() + 3_600_000);
/** What the database said, under the query builder's wrapping error. */
const refusedWith = (pattern: RegExp) => ({ cause: { message: expect.stringMatching(pattern) } });

beforeAll(async () => {
  tdb = await createTestDatabase();
  // Seeded as the superuser, underneath row-level security.
  const t = await tdb.admin.query<{ id: string }>(
    `insert into tenants (kind, slug, name)
     values ('organization', 'acme', 'Acme'), ('organization', 'globex', 'Globex') returning id`,
  );
  [acme, globex] = t.rows.map((r) => r.id) as [string, string];
  const u = await tdb.admin.query<{ id: string }>(
    `insert into users (keycloak_id, username, display_name)
     values ('kc-carol', 'carol', 'Carol'), ('kc-dave', 'dave', 'Dave') returning id`,
  );
  [carol, dave] = u.rows.map((r) => r.id) as [string, string];
});
afterAll(async () => tdb?.drop());

describe("the video module's tables", () => {
  it('force row-level security on rooms and room_participants', async () => {
    const { rows } = await tdb.admin.query(
      `select relname, relforcerowsecurity from pg_class
        where relname in ('rooms', 'room_participants') and relkind = 'r' order by relname`,
    );
    expect(rows).toEqual([
      { relname: 'room_participants', relforcerowsecurity: true },
      { relname: 'rooms', relforcerowsecurity: true },
    ]);
  });

  it("show a tenant its own rooms only, and refuse a room in another tenant's name", async () => {
    const open = (inTenant: string, tenantId: string, label: string) =>
      tdb.database.withTenant(inTenant, (tx) =>
        tx
          .insert(rooms)
          .values({ tenantId, roomName: roomName(label), topic: label, expiresAt: inAnHour() }),
      );
    await open(acme, acme, 'acme-call');
    const topics = (tenantId: string) =>
      tdb.database.withTenant(tenantId, (tx) => tx.select({ topic: rooms.topic }).from(rooms));
    expect(await topics(acme)).toEqual([{ topic: 'acme-call' }]);
    expect(await topics(globex)).toEqual([]);
    await expect(open(globex, acme, 'smuggled')).rejects.toMatchObject(
      refusedWith(/row-level security/),
    );
  });

  it('let the expiry sweeper (app.job = rooms.expire) read the open rooms past expiry of every tenant, and only read', async () => {
    await tdb.admin.query(
      `insert into rooms (tenant_id, room_name, expires_at, status, ended_at) values
         ($1, $3, now() - interval '1 minute', 'open', null),
         ($2, $4, now() - interval '1 minute', 'open', null),
         ($2, $5, now() - interval '1 minute', 'ended', now()),
         ($2, $6, now() + interval '1 hour', 'open', null)`,
      [acme, globex, roomName('due-a'), roomName('due-g'), roomName('ended'), roomName('later')],
    );
    const { due, expired } = await tdb.database.transaction({}, async (tx) => {
      await tx.execute(sql`select set_config('app.job', 'rooms.expire', true)`);
      return {
        due: await tx.select({ name: rooms.roomName }).from(rooms).orderBy(rooms.roomName),
        expired: await tx.update(rooms).set({ status: 'expired' }).returning({ id: rooms.id }),
      };
    });
    expect(due.map((r) => r.name)).toEqual([roomName('due-a'), roomName('due-g')]);
    expect(expired).toEqual([]);
    expect(await tdb.database.transaction({}, (tx) => tx.select().from(rooms))).toEqual([]);
  });

  it('allow one moderator a room', async () => {
    const [room] = await tdb.database.withTenant(acme, (tx) =>
      tx
        .insert(rooms)
        .values({ tenantId: acme, roomName: roomName('moderated'), expiresAt: inAnHour() })
        .returning(),
    );
    const moderate = (userId: string) =>
      tdb.database.withTenant(acme, (tx) =>
        tx
          .insert(roomParticipants)
          .values({ tenantId: acme, roomId: room!.id, userId, moderator: true }),
      );
    await moderate(carol);
    await expect(moderate(dave)).rejects.toMatchObject(
      refusedWith(/room_participants_one_moderator/),
    );
  });
});
