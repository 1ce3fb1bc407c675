import { readFileSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '../paths.ts';

/**
 * The application role's URL for command-line tools: DATABASE_URL, or on the embedded default
 * the URL read from DATA_DIR's state (the product must have been started once).
 */
export function cliDatabaseUrl(): string {
  if (process.env.DATABASE_URL) return process.env.DATABASE_URL;
  const state = JSON.parse(
    readFileSync(
      path.resolve(REPO_ROOT, process.env.DATA_DIR || '.data', 'postgres', 'state.json'),
      'utf8',
    ),
  ) as { port: number; appPassword: string };
  return `postgres://afenda_app:${encodeURIComponent(state.appPassword)}@127.0.0.1:${state.port}/postgres`;
}
