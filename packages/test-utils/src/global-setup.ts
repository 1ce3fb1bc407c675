/**
 * Vitest global setup: one PostgreSQL server for the whole run. TEST_DATABASE_URL (an
 * administrative URL to a real server, as .ci/run gives) wins; otherwise an embedded server in
 * a temporary folder. Each test file then creates its own database on it (see database.ts).
 * If no server can start, the run fails here and says why: nothing is skipped.
 */
import { startEmbeddedPostgres, type EmbeddedPostgres } from '@afenda/db';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import './provided.ts';

let embedded: EmbeddedPostgres | undefined;
let dir: string | undefined;

export async function setup(project: TestProject): Promise<void> {
  const external = process.env.TEST_DATABASE_URL;
  if (external) {
    project.provide('pgAdminUrl', external);
    project.provide('pgKind', 'external');
    return;
  }
  dir = await mkdtemp(path.join(tmpdir(), 'afenda-test-pg-'));
  embedded = await startEmbeddedPostgres({ dir, port: 0 });
  project.provide('pgAdminUrl', embedded.adminUrl);
  project.provide('pgKind', 'embedded');
}

export async function teardown(): Promise<void> {
  await embedded?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
}
