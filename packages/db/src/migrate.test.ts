import { createTestDatabase, type TestDatabase } from '@afenda/test-utils';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APP_ACCESS_ROLE, ensureRoles, migrate, OWNER_ROLE } from './migrate.ts';

// A managed database gives an administrator with CREATEROLE but not SUPERUSER. Starting twice
// with such an administrator must work: the second start finds every role already there.
let tdb: TestDatabase;
const suffix = randomBytes(4).toString('hex');
const opsAdmin = { name: `ops_admin_${suffix}`, password: 'ops-admin-test-only' };
const appRole = { name: `managed_app_${suffix}`, password: 'managed-app-test-only' };

beforeAll(async () => {
  tdb = await createTestDatabase({ migrate: false });
  await tdb.admin.query(
    `create role ${opsAdmin.name} login createrole password '${opsAdmin.password}'`,
  );
  await tdb.admin.query(`alter database ${tdb.name} owner to ${opsAdmin.name}`);
  await tdb.admin.query(`alter schema public owner to ${opsAdmin.name}`);
  const client = await tdb.admin.connect();
  await ensureRoles(client).finally(() => client.release());
  // As if this administrator had created the shared roles itself (it gets ADMIN OPTION then).
  await tdb.admin.query(
    `grant ${OWNER_ROLE}, ${APP_ACCESS_ROLE} to ${opsAdmin.name} with admin option`,
  );
});
afterAll(async () => tdb?.drop());

describe('migrations from a non-superuser administrator', () => {
  it('apply on the first start and find nothing to do on the next, refreshing only the password', async () => {
    const url = new URL(tdb.adminUrl);
    url.username = opsAdmin.name;
    url.password = opsAdmin.password;
    const results: number[] = [];
    for (let start = 0; start < 2; start++) {
      const pool = new pg.Pool({ connectionString: url.toString(), max: 1 });
      try {
        results.push((await migrate(pool, { appRole })).applied.length);
      } finally {
        await pool.end();
      }
    }
    expect(results[0]).toBeGreaterThanOrEqual(2);
    expect(results[1]).toBe(0);
    const { rows } = await tdb.admin.query(
      'select rolsuper, rolbypassrls, rolcanlogin from pg_roles where rolname = $1',
      [appRole.name],
    );
    expect(rows[0]).toEqual({ rolsuper: false, rolbypassrls: false, rolcanlogin: true });
  });
});
