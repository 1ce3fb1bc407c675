/**
 * The connection under a transaction is cut (PostgreSQL restarted, or an administrator ended
 * the session): the transaction fails with that error, the process goes on, and the pool serves
 * the next transaction on a fresh connection. (Without a listener on the checked-out client the
 * cut was an unhandled 'error' event that ended the whole orchestrator: found by the cluster's
 * PostgreSQL restart drill, e2e/cluster-faults.e2e.ts.)
 */
import { createTestDatabase, type TestDatabase } from '@afenda/test-utils';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

let tdb: TestDatabase;
beforeAll(async () => {
  tdb = await createTestDatabase();
});
afterAll(async () => {
  await tdb?.drop();
});

describe('a transaction whose connection is cut', () => {
  it('fails with the cut, does not end the process, and the next one runs', async () => {
    const uncaught: unknown[] = [];
    const onUncaught = (err: unknown) => uncaught.push(err);
    process.on('uncaughtException', onUncaught);
    try {
      const cut = tdb.database.transaction({ sync: true }, async (tx) => {
        const [me] = (await tx.execute<{ pid: number }>(sql`select pg_backend_pid() pid`)).rows;
        // Another session ends this one while the transaction is open.
        await tdb.admin.query('select pg_terminate_backend($1)', [me!.pid]);
        await new Promise((r) => setTimeout(r, 200));
        await tx.execute(sql`select 1`);
      });
      await expect(cut).rejects.toThrow(); // drizzle names the query; its cause is the cut
      await new Promise((r) => setTimeout(r, 100));
      expect(uncaught).toEqual([]);
      const again = await tdb.database.transaction({ sync: true }, (tx) =>
        tx.execute<{ ok: number }>(sql`select 1 as ok`),
      );
      expect(again.rows[0]!.ok).toBe(1);
    } finally {
      process.off('uncaughtException', onUncaught);
    }
  });
});

describe('statements', () => {
  it('are parsed and planned once per connection, then only executed', async () => {
    const text = 'select $1::int + 1 as n -- named-statement test';
    const client = await tdb.database.pool.connect();
    try {
      for (let i = 0; i < 3; i++) await client.query({ text, values: [i] });
      const res = await client.query<{ n: string }>(
        'select count(*)::text as n from pg_prepared_statements where statement = $1',
        [text],
      );
      expect(res.rows[0]!.n).toBe('1');
      expect((await client.query<{ n: number }>({ text, values: [41] })).rows[0]!.n).toBe(42);
      // Without parameters: the simple protocol, unnamed (several statements in one stay possible).
      await client.query('select 1; select 2');
    } finally {
      client.release();
    }
  });

  it('keep row-level security per transaction: a plan run again reads the new tenant', async () => {
    const { rows: made } = await tdb.admin.query<{ id: string }>(
      `insert into tenants (slug, name, kind) values ('named-a', 'A', 'organization'),
       ('named-b', 'B', 'organization') returning id::text`,
    );
    for (const t of made)
      await tdb.admin.query(
        `insert into stream_events (tenant_id, name, payload) values ($1, 'activity', '{}')`,
        [t.id],
      );
    const seen: string[][] = [];
    for (const t of [...made, ...made, ...made])
      seen.push(
        await tdb.database.withTenant(t.id, async (tx) =>
          (
            await tx.execute<{ id: string }>(
              sql`select tenant_id::text as id from stream_events
                  where tenant_id in (${made[0]!.id}::uuid, ${made[1]!.id}::uuid) and user_id is null`,
            )
          ).rows.map((r) => r.id),
        ),
      );
    expect(seen).toEqual([...made, ...made, ...made].map((t) => [t.id]));
  });
});
