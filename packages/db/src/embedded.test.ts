import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { startEmbeddedPostgres } from './embedded.ts';

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

async function query<T extends pg.QueryResultRow>(url: string, text: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(text)).rows;
  } finally {
    await client.end();
  }
}

describe('the embedded PostgreSQL', () => {
  it('keeps its data across a restart, on the same port and credentials', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'afenda-embedded-'));
    dirs.push(dir);
    const first = await startEmbeddedPostgres({ dir });
    expect(first.created).toBe(true);
    await query(first.adminUrl, "create table kept (v text); insert into kept values ('survives')");
    await first.stop();
    await expect(query(first.adminUrl, 'select 1')).rejects.toThrow();

    const second = await startEmbeddedPostgres({ dir });
    try {
      expect(second.created).toBe(false);
      expect(second.port).toBe(first.port);
      expect(await query<{ v: string }>(second.adminUrl, 'select v from kept')).toEqual([
        { v: 'survives' },
      ]);
    } finally {
      await second.stop();
    }
  });

  it('adopts a server left running by a killed process instead of failing', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'afenda-embedded-'));
    dirs.push(dir);
    const first = await startEmbeddedPostgres({ dir });
    // Simulate the owner dying without stopping it: start again while it still runs.
    const again = await startEmbeddedPostgres({ dir });
    try {
      expect(again.port).toBe(first.port);
      expect(await query<{ one: number }>(again.adminUrl, 'select 1 as one')).toEqual([{ one: 1 }]);
    } finally {
      await again.stop();
    }
    await expect(query(first.adminUrl, 'select 1')).rejects.toThrow();
  });
});

async function until<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  ms = 60_000,
): Promise<T> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('the embedded PostgreSQL, supervised', () => {
  it('restarts a postmaster that was killed, says so meanwhile, and gives up past its limit', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'afenda-embedded-'));
    dirs.push(dir);
    const lines: string[] = [];
    const db = await startEmbeddedPostgres({
      dir,
      maxRestarts: 1,
      restartBackoffMs: 500,
      warn: (line) => lines.push(line),
    });
    try {
      await query(db.adminUrl, "create table kept (v text); insert into kept values ('committed')");
      const first = db.pid();
      expect(first).toBeTypeOf('number');
      process.kill(first as number, 'SIGKILL');
      // Meanwhile: readiness has a reason, and the log a clear line.
      const problem = await until('the supervisor to notice', async () => db.problem());
      expect(problem).toMatch(
        /embedded PostgreSQL killed by SIGKILL; restarting \(attempt 1 of 1\)/,
      );
      expect(lines[0]).toBe(problem);
      // Back, with what was committed before the kill.
      await until('the restarted server', async () => (db.problem() ? undefined : db.pid()));
      expect(db.pid()).not.toBe(first);
      expect(await query<{ v: string }>(db.adminUrl, 'select v from kept')).toEqual([
        { v: 'committed' },
      ]);

      // The second death within the window is past the limit (1): it stays down and says why.
      process.kill(db.pid() as number, 'SIGKILL');
      const gaveUp = await until('the supervisor to give up', async () =>
        db.problem()?.includes('gave up') ? db.problem() : undefined,
      );
      expect(gaveUp).toMatch(/killed by SIGKILL; gave up after 1 restart\(s\) in 600 s/);
      await new Promise((r) => setTimeout(r, 1500));
      await expect(query(db.adminUrl, 'select 1')).rejects.toThrow();
      expect(db.pid()).toBeUndefined();
    } finally {
      await db.stop();
    }
  });
});
