import { createTestDatabase, TEST_APP_ROLE, type TestDatabase } from '@afenda/test-utils';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp } from './testing/app.ts';
import { startServer as startServerProcess, type ServerProcess } from './testing/process.ts';

const root = fileURLToPath(new URL('../../../', import.meta.url));
let tdb: TestDatabase;
const cleanup: (() => Promise<void>)[] = [];

beforeAll(async () => {
  tdb = await createTestDatabase();
});
afterAll(async () => {
  for (const fn of cleanup.reverse()) await fn().catch(() => undefined);
  await tdb?.drop();
});

/** The real server process, killed at the end of the file if still running. */
async function startServer(env: Record<string, string>): Promise<ServerProcess> {
  const server = await startServerProcess(env);
  cleanup.push(async () => {
    if (server.child.exitCode === null) server.child.kill('SIGKILL');
  });
  return server;
}

describe('graceful shutdown', () => {
  it('finishes in-flight requests, then stops accepting', async () => {
    let started!: () => void;
    const inFlight = new Promise<void>((r) => (started = r));
    const { app } = await buildTestApp({
      database: tdb.database,
      extraRoutes: (scope) => {
        scope.get('/api/v1/__slow', { config: { auth: 'public' } }, async () => {
          started();
          await new Promise((r) => setTimeout(r, 400));
          return { data: 'finished', meta: {} };
        });
      },
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = app.server.address() as { port: number };
    const pending = fetch(`http://127.0.0.1:${port}/api/v1/__slow`);
    await inFlight;
    const closing = app.close();
    const res = await pending;
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ data: 'finished' });
    await closing;
    await expect(fetch(`http://127.0.0.1:${port}/healthz`)).rejects.toThrow();
  });

  it('exits 0 on SIGTERM after closing the pool', async () => {
    const appUrl = new URL(tdb.appUrl);
    const server = await startServer({
      DATABASE_URL: appUrl.toString(),
      DATABASE_ADMIN_URL: tdb.adminUrl,
    });
    expect((await fetch(`${server.url}/readyz`)).status).toBe(200);
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
    const messages = server.logs.map((l) => l.msg);
    expect(messages).toContain('shutdown complete');
    // The app role it was given stayed an unprivileged role.
    const { rows } = await tdb.admin.query(
      'select rolsuper, rolbypassrls from pg_roles where rolname = $1',
      [TEST_APP_ROLE.name],
    );
    expect(rows[0]).toEqual({ rolsuper: false, rolbypassrls: false });
  });
});

describe('the embedded default, as a process', () => {
  it('starts with demo data, keeps it across a restart, and survives kill -9', async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'afenda-server-'));
    cleanup.push(() => rm(dataDir, { recursive: true, force: true }));

    const first = await startServer({ DATA_DIR: dataDir });
    const ready = (await (await fetch(`${first.url}/readyz`)).json()) as { status: string };
    expect(ready.status).toBe('ready');
    expect(first.logs.find((l) => l.msg === 'directory reconciled')).toMatchObject({
      trigger: 'startup',
      usersCreated: 10,
    });
    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);
    expect(existsSync(path.join(dataDir, 'postgres/pgdata/postmaster.pid'))).toBe(false);

    const second = await startServer({ DATA_DIR: dataDir });
    // Nothing changed since the first start: the startup reconcile finds nothing to do.
    expect(second.logs.some((l) => l.msg === 'directory reconciled')).toBe(false);
    expect(second.logs.some((l) => l.msg === 'schema up to date')).toBe(true);
    second.child.kill('SIGKILL');
    await second.exited;

    // The database server the killed process left behind is adopted by the next start.
    const third = await startServer({ DATA_DIR: dataDir });
    expect((await fetch(`${third.url}/readyz`)).status).toBe(200);
    third.child.kill('SIGTERM');
    expect(await third.exited).toBe(0);
    // Three starts of a real server: generous on a shared, loaded machine.
  }, 120_000);
  it('restarts its PostgreSQL when the postmaster is killed; /readyz says why meanwhile', async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'afenda-server-'));
    cleanup.push(() => rm(dataDir, { recursive: true, force: true }));
    const server = await startServer({ DATA_DIR: dataDir });
    expect((await fetch(`${server.url}/readyz`)).status).toBe(200);
    const pidFile = path.join(dataDir, 'postgres/pgdata/postmaster.pid');
    const postmaster = Number((await readFile(pidFile, 'utf8')).split('\n')[0]);
    process.kill(postmaster, 'SIGKILL');
    const killedAt = Date.now();

    // Every reason /readyz gave while down (the first may come before the child's exit is seen).
    const reasons: string[] = [];
    let readyAfterMs: number | undefined;
    while (Date.now() - killedAt < 60_000) {
      const res = await fetch(`${server.url}/readyz`);
      const body = (await res.json()) as { checks: { database: { error?: string } } };
      if (res.status === 503) reasons.push(body.checks.database.error ?? '');
      if (res.status === 200 && reasons.some((r) => r.includes('restarting'))) {
        readyAfterMs = Date.now() - killedAt;
        break;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(reasons).toContainEqual(
      expect.stringMatching(
        /^the embedded PostgreSQL killed by SIGKILL; restarting \(attempt 1 of 5\)/,
      ),
    );
    expect(readyAfterMs).toBeTypeOf('number');
    process.stdout.write(`embedded PostgreSQL SIGKILL: /readyz back after ${readyAfterMs} ms\n`);
    expect(server.logs).toContainEqual(
      expect.objectContaining({
        level: 50,
        msg: 'the embedded PostgreSQL killed by SIGKILL; restarting (attempt 1 of 5)',
      }),
    );
    await expect
      .poll(() => server.logs.some((l) => String(l.msg).includes('is running again')))
      .toBe(true);
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
  }, 120_000);
});

describe('the migrate-only entry point', () => {
  it('migrates a fresh database and exits 0, and says what is missing otherwise', async () => {
    const fresh = await createTestDatabase({ migrate: false });
    cleanup.push(() => fresh.drop());
    const run = (env: Record<string, string>) =>
      new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
        const child = spawn(
          process.execPath,
          ['--import', 'tsx', 'apps/orchestrator/src/cli/migrate.ts'],
          {
            cwd: root,
            env: { ...process.env, DATABASE_ADMIN_URL: '', DATABASE_URL: '', ...env },
          },
        );
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
        child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
        child.on('exit', (code) => resolve({ code, stdout, stderr }));
      });
    const missing = await run({});
    expect(missing.code).toBe(1);
    expect(missing.stderr.trim()).toBe('afenda-migrate: DATABASE_ADMIN_URL is required');
    const first = await run({ DATABASE_ADMIN_URL: fresh.adminUrl, DATABASE_URL: fresh.appUrl });
    expect(first.code).toBe(0);
    expect(JSON.parse(first.stdout).applied.length).toBeGreaterThanOrEqual(2);
    const again = await run({ DATABASE_ADMIN_URL: fresh.adminUrl, DATABASE_URL: fresh.appUrl });
    expect(JSON.parse(again.stdout).msg).toBe('schema up to date');
  });
});
