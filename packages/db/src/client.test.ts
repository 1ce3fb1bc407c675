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
