import { createDatabase, migrate, type Database } from '@afenda/db';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';
import './provided.ts';

export const TEST_APP_ROLE = { name: 'afenda_app_test', password: 'afenda-app-test-only' };

export interface TestDatabase {
  name: string;
  adminUrl: string;
  appUrl: string;
  /** Superuser pool on this database, for setup and for looking underneath RLS. */
  admin: pg.Pool;
  /** The application's view: the unprivileged role, RLS enforced. */
  database: Database;
  drop(): Promise<void>;
}

function withDatabase(
  url: string,
  database: string,
  role?: { name: string; password: string },
): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  if (role) {
    u.username = role.name;
    u.password = role.password;
  }
  return u.toString();
}

/** A fresh, migrated database of its own for one test file, on the run's server. */
export async function createTestDatabase(
  options: { migrate?: boolean; poolMax?: number } = {},
): Promise<TestDatabase> {
  const serverUrl = inject('pgAdminUrl');
  const name = `afenda_test_${randomBytes(6).toString('hex')}`;
  const root = new pg.Client({ connectionString: serverUrl });
  await root.connect();
  try {
    await root.query(`create database ${name}`);
  } finally {
    await root.end();
  }
  const adminUrl = withDatabase(serverUrl, name);
  const appUrl = withDatabase(serverUrl, name, TEST_APP_ROLE);
  const admin = new pg.Pool({ connectionString: adminUrl, max: 3 });
  // Dropping the database terminates whatever is still connected: expected, not a crash.
  admin.on('error', () => undefined);
  if (options.migrate !== false) await migrate(admin, { appRole: TEST_APP_ROLE });
  const database = createDatabase({ url: appUrl, max: options.poolMax ?? 4 });
  return {
    name,
    adminUrl,
    appUrl,
    admin,
    database,
    async drop() {
      await database.close().catch(() => undefined);
      await admin.end().catch(() => undefined);
      const c = new pg.Client({ connectionString: serverUrl });
      await c.connect();
      try {
        await c.query(`drop database if exists ${name} with (force)`);
      } finally {
        await c.end();
      }
    },
  };
}
