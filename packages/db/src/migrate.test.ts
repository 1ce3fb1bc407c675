import { createTestDatabase, type TestDatabase } from '@afenda/test-utils';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  APP_ACCESS_ROLE,
  ensureRoles,
  migrate,
  migrationDirs,
  MIGRATIONS_DIR,
  OWNER_ROLE,
  readMigrations,
} from './migrate.ts';

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

describe('replicas starting together', () => {
  it('three migrations of one database at once: one applies, the others find it done, none fails', async () => {
    const url = new URL(tdb.adminUrl);
    url.username = opsAdmin.name;
    url.password = opsAdmin.password;
    const pools = [0, 1, 2].map(() => new pg.Pool({ connectionString: url.toString(), max: 1 }));
    try {
      // Each refreshes the shared application role's password, as every start does.
      const results = await Promise.all(pools.map((pool) => migrate(pool, { appRole })));
      expect(results.map((r) => r.applied.length).filter((n) => n > 0).length).toBeLessThanOrEqual(
        1,
      );
    } finally {
      await Promise.all(pools.map((pool) => pool.end()));
    }
  });
});

describe('migration folders', () => {
  let root: string;
  /** Writes `files` (path → content) under this suite's temporary folder; returns the folders. */
  async function tree(files: Record<string, string>): Promise<string[]> {
    const dirs = new Set<string>();
    for (const [file, content] of Object.entries(files)) {
      const full = path.join(root, file);
      await mkdir(path.dirname(full), { recursive: true });
      await writeFile(full, content);
      dirs.add(path.dirname(full));
    }
    return [...dirs];
  }
  beforeAll(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'afenda-migration-dirs-'));
  });
  afterAll(async () => rm(root, { recursive: true, force: true }));

  it("are the kernel's, then each module's that has one, by module name", async () => {
    await tree({
      'modules/zeta/migrations/0011_zeta.sql': 'select 1;',
      'modules/alpha/migrations/0012_alpha.sql': 'select 1;',
      'modules/alpha/manifest.ts': '',
      'modules/plain/manifest.ts': '',
      'modules/README.md': '',
    });
    const modules = path.join(root, 'modules');
    expect(await migrationDirs(modules)).toEqual([
      MIGRATIONS_DIR,
      path.join(modules, 'alpha', 'migrations'),
      path.join(modules, 'zeta', 'migrations'),
    ]);
    expect(await migrationDirs(path.join(root, 'no-such-folder'))).toEqual([MIGRATIONS_DIR]);
  });

  it('are merged in version order, whatever folder each file is in', async () => {
    const dirs = await tree({
      'merge/core/0001_core.sql': 'select 1;',
      'merge/core/0004_core_again.sql': 'select 4;',
      'merge/core/notes.txt': '',
      'merge/b/0003_b.sql': 'select 3;',
      'merge/a/0002_a.sql': 'select 2;',
    });
    const files = await readMigrations(dirs);
    expect(files.map((f) => f.name)).toEqual(['0001_core', '0002_a', '0003_b', '0004_core_again']);
    expect(files[1]).toMatchObject({
      version: '0002',
      path: path.join(root, 'merge/a/0002_a.sql'),
      sql: 'select 2;',
    });
  });

  it('refuse two files with the same version, naming both', async () => {
    const dirs = await tree({
      'clash/core/0001_core.sql': 'select 1;',
      'clash/video/0002_rooms.sql': 'select 2;',
      'clash/whiteboard/0002_boards.sql': 'select 2;',
    });
    await expect(readMigrations(dirs)).rejects.toThrow(
      `two migrations have version 0002: ${path.join(root, 'clash/whiteboard/0002_boards.sql')} and ${path.join(root, 'clash/video/0002_rooms.sql')}`,
    );
  });

  it("by default include this repository's modules, one version each", async () => {
    const dirs = (await migrationDirs()).map((d) => path.resolve(d));
    const files = await readMigrations();
    expect(files.map((f) => f.name)).toContain('0001_foundation');
    for (const f of files) expect(dirs).toContain(path.dirname(f.path));
    expect(new Set(files.map((f) => f.version)).size).toBe(files.length);
  });
});
