/**
 * Retention against a real PostgreSQL: exactly what expired goes, nothing live does, and the
 * database itself refuses a purge of live rows in the retention context (migration 0016).
 */
import { createTestDatabase, type TestDatabase } from '@afenda/test-utils';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { purgeExpired, type RetentionPolicy } from './purge.ts';

let tdb: TestDatabase;
let tenant: string;
let user: string;
const POLICY: RetentionPolicy = {
  webhookBodyDays: 14,
  webhookRowDays: 90,
  outboundDays: 90,
  batchSize: 3, // several batches per step
};

async function q<T = Record<string, unknown>>(text: string, values: unknown[] = []): Promise<T[]> {
  return (await tdb.admin.query(text, values)).rows as T[];
}

/** A webhook delivery as stored, its times given as "days ago". */
async function delivery(
  id: string,
  status: string,
  receivedDaysAgo: number,
  processedDaysAgo: number | null,
): Promise<void> {
  await q(
    `insert into webhook_deliveries (source, delivery_id, tenant_id, event_type, verified, body, status,
       received_at, processed_at)
     values ('chatwoot', $1, $2, 'message_created', true, '{"x":1}', $3,
       now() - make_interval(days => $4), case when $5::int is null then null else now() - make_interval(days => $5::int) end)`,
    [id, tenant, status, receivedDaysAgo, processedDaysAgo],
  );
}

beforeAll(async () => {
  tdb = await createTestDatabase();
  tenant = (
    await q<{ id: string }>(
      `insert into tenants (kind, slug, name) values ('organization', 'acme', 'Acme') returning id`,
    )
  )[0]!.id;
  user = (
    await q<{ id: string }>(
      `insert into users (keycloak_id, username, display_name) values ('kc-a', 'alice', 'Alice') returning id`,
    )
  )[0]!.id;
  for (let i = 0; i < 7; i++)
    await q(
      `insert into idempotency_keys (user_id, key, method, path, request_hash, expires_at)
       values ($1, $2, 'POST', '/x', 'h', now() + make_interval(hours => $3))`,
      [user, `k${i}`, i < 5 ? -1 : 1], // five expired, two live
    );
  for (let i = 0; i < 4; i++)
    await q(
      `insert into shell_sessions (id_hash, subject, data, expires_at)
       values ($1, 'kc-a', '{}', now() + make_interval(mins => $2))`,
      [`s${i}`, i < 3 ? -5 : 30], // three expired, one live
    );
  // Finished and old enough to lose its body, not its row:
  await delivery('processed-20d', 'processed', 20, 20);
  await delivery('ignored-30d', 'ignored', 30, 30);
  // Too recent to lose anything:
  await delivery('processed-2d', 'processed', 2, 2);
  // Old enough to go entirely:
  for (let i = 0; i < 4; i++) await delivery(`processed-100d-${i}`, 'processed', 100, 100);
  await delivery('unmapped-120d', 'unmapped', 120, null);
  // Never purged whatever their age: still to process, or a dead letter still to replay.
  await delivery('received-200d', 'received', 200, null);
  await delivery('failed-200d', 'failed', 200, null);
  await delivery('dead-200d', 'dead', 200, null);
  for (const [n, status, doneDaysAgo] of [
    ['done-100d', 'done', 100],
    ['done-10d', 'done', 10],
    ['dead-100d', 'dead', null],
    ['pending', 'pending', null],
  ] as const)
    await q(
      `insert into outbound_actions (tenant_id, kind, subject_id, status, done_at, created_at)
       values ($1, 'note', $2, $3,
         case when $4::int is null then null else now() - make_interval(days => $4::int) end,
         now() - interval '200 days')`,
      [tenant, n, status, doneDaysAgo],
    );
});

afterAll(async () => {
  await tdb?.drop();
});

describe('retention purge', () => {
  it('removes exactly what expired, in batches, and keeps everything live', async () => {
    const counts = await purgeExpired(tdb.database, POLICY);
    expect(counts).toEqual({
      idempotency_keys: 5,
      shell_sessions: 3,
      webhook_bodies: 6, // the two of 20 and 30 days, and the four of 100 days (before they go)
      webhook_deliveries: 5,
      outbound_actions: 1,
    });
    expect((await q(`select key from idempotency_keys order by key`)).map((r) => r.key)).toEqual([
      'k5',
      'k6',
    ]);
    expect((await q(`select id_hash from shell_sessions`)).map((r) => r.id_hash)).toEqual(['s3']);
    const rows = await q<{ delivery_id: string; body_kept: boolean; body: string }>(
      `select delivery_id, body_kept, body from webhook_deliveries order by delivery_id`,
    );
    expect(rows.map((r) => [r.delivery_id, r.body_kept])).toEqual([
      ['dead-200d', true],
      ['failed-200d', true],
      ['ignored-30d', false],
      ['processed-20d', false],
      ['processed-2d', true],
      ['received-200d', true],
    ]);
    expect(rows.filter((r) => !r.body_kept).every((r) => r.body === '')).toBe(true);
    expect(
      (await q(`select subject_id from outbound_actions order by subject_id`)).map(
        (r) => r.subject_id,
      ),
    ).toEqual(['dead-100d', 'done-10d', 'pending']);

    // A second run finds nothing more.
    expect(Object.values(await purgeExpired(tdb.database, POLICY))).toEqual([0, 0, 0, 0, 0]);
  });

  it('the database refuses to purge live rows, even to the retention context', async () => {
    const deleted = await tdb.database.transaction({ service: 'retention' }, async (tx) => ({
      deliveries: (await tx.execute(sql`delete from webhook_deliveries`)).rowCount,
      outbound: (await tx.execute(sql`delete from outbound_actions`)).rowCount,
      keys: (await tx.execute(sql`delete from idempotency_keys`)).rowCount,
      sessions: (await tx.execute(sql`delete from shell_sessions`)).rowCount,
    }));
    // The database's floor is wider than the settings (finished, arrived over a day ago): the
    // three finished deliveries left can go; what is still to process or a dead letter cannot,
    // nor an unexpired key or session, nor an outbound action not done.
    expect(deleted).toEqual({ deliveries: 3, outbound: 1, keys: 0, sessions: 0 });
    expect(
      (await q(`select delivery_id from webhook_deliveries order by 1`)).map((r) => r.delivery_id),
    ).toEqual(['dead-200d', 'failed-200d', 'received-200d']);
    expect(
      (await q(`select subject_id from outbound_actions order by 1`)).map((r) => r.subject_id),
    ).toEqual(['dead-100d', 'pending']);
  });

  it('no other context may delete deliveries or outbound actions', async () => {
    await delivery('processed-300d', 'processed', 300, 300);
    for (const context of [{ service: 'jobs' as const }, { tenantId: tenant }, {}]) {
      const n = await tdb.database.transaction(context, async (tx) => {
        const d = await tx.execute(sql`delete from webhook_deliveries`);
        const o = await tx.execute(sql`delete from outbound_actions`);
        return (d.rowCount ?? 0) + (o.rowCount ?? 0);
      });
      expect(n).toBe(0);
    }
    expect((await q(`select count(*)::int as n from webhook_deliveries`))[0]!.n).toBe(4);
  });
});
