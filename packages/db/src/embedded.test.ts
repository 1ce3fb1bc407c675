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
