import {
  createDatabase,
  migrate,
  startEmbeddedPostgres,
  type Database,
  type EmbeddedPostgres,
} from '@afenda/db';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { Defer } from './cleanup.ts';

/**
 * A throw-away embedded PostgreSQL (the same binaries and settings the orchestrator's embedded
 * mode uses: fsync and synchronous_commit on), migrated, with the unprivileged app role. The
 * cluster lives in a fresh folder under the system temp dir (/tmp): as root it runs as the
 * `postgres` user, which must be able to reach it. Stopped and removed by the caller's scope.
 */
export async function startBenchPostgres(defer: Defer): Promise<EmbeddedPostgres> {
  const dir = await mkdtemp(path.join(tmpdir(), 'afenda-bench-'));
  defer(`remove ${dir}`, () => rm(dir, { recursive: true, force: true }));
  const embedded = await startEmbeddedPostgres({ dir, port: 0 });
  defer('stop embedded PostgreSQL', () => embedded.stop());
  const admin = new pg.Pool({ connectionString: embedded.adminUrl, max: 1 });
  try {
    await migrate(admin, { appRole: embedded.appRole });
  } finally {
    await admin.end();
  }
  return embedded;
}

/** libpq environment for command-line clients (pgbench) from a postgres:// URL. */
export function libpqEnv(url: string): Record<string, string> {
  const u = new URL(url);
  return {
    PGHOST: u.hostname,
    PGPORT: u.port || '5432',
    PGUSER: decodeURIComponent(u.username),
    PGPASSWORD: decodeURIComponent(u.password),
    PGDATABASE: decodeURIComponent(u.pathname.replace(/^\//, '')) || 'postgres',
    PGSSLMODE: 'disable',
  };
}

/** The embedded server's postmaster pid (from postmaster.pid), for CPU accounting. */
export function postmasterPid(embedded: EmbeddedPostgres): number | undefined {
  try {
    const pid = Number(
      readFileSync(path.join(embedded.dataDir, 'postmaster.pid'), 'utf8').split('\n')[0],
    );
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** The orchestrator's data layer on the embedded server as the app role, closed by the scope. */
export function openAppDatabase(embedded: EmbeddedPostgres, max: number, defer: Defer): Database {
  const database = createDatabase({ url: embedded.appUrl, max });
  defer('close the database pool', () => database.close());
  return database;
}
