import { migrate, startEmbeddedPostgres, type EmbeddedPostgres } from '@afenda/db';
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
