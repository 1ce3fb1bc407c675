/**
 * What every `afenda` command shares: one-line answers to ordinary mistakes (CliError, and
 * explain() for what the database or the file system says), the database connection with the
 * embedded default's fallback, and output as a human table or, with --json, JSON.
 */
import { createDatabase, type Database } from '@afenda/db';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { REPO_ROOT } from '../paths.ts';

/** An ordinary mistake or state: said in one line, exit code 1 (or the one given). */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

export interface Io {
  out(line: string): void;
  err(line: string): void;
}

export const processIo: Io = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
};

const firstLine = (s: string) => s.split('\n')[0]!.trim();

/** What went wrong, in one line that says what to do where it can. */
export function explain(err: unknown): string {
  if (err instanceof CliError) return err.message;
  const e = err as { code?: string; message?: string; address?: string; port?: number };
  const where = e.address ? ` at ${e.address}${e.port ? `:${e.port}` : ''}` : '';
  switch (e.code) {
    case 'ECONNREFUSED':
      return `the database${where} does not answer: is the product running (npm start), and is DATABASE_URL right?`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `the database host in DATABASE_URL is not found (${firstLine(e.message ?? '')})`;
    case '28P01':
    case '28000':
      return 'the database refused the credentials in DATABASE_URL';
    case '3D000':
      return `the database in DATABASE_URL does not exist (${firstLine(e.message ?? '')})`;
    case '42P01':
      return 'the database has no schema yet: run `npm run afenda -- migrate`, or start the product once';
    default:
      return firstLine(e.message ?? String(err)) || 'failed';
  }
}

/** A path as short as it reads well: relative below the working directory, absolute otherwise. */
const shown = (p: string) => {
  const rel = path.relative(process.cwd(), p);
  return rel && !rel.startsWith('..') ? rel : p;
};

/**
 * The application role's URL: DATABASE_URL, or on the embedded default the URL read from
 * DATA_DIR's state (the product must have been started once).
 */
export function cliDatabaseUrl(): string {
  if (process.env.DATABASE_URL) return process.env.DATABASE_URL;
  const dataDir = path.resolve(REPO_ROOT, process.env.DATA_DIR || '.data');
  const file = path.join(dataDir, 'postgres', 'state.json');
  if (!existsSync(file))
    throw new CliError(
      `no database: set DATABASE_URL, or start the product once (npm start) so that ${shown(dataDir)} holds the embedded one`,
    );
  let state: { port?: unknown; appPassword?: unknown };
  try {
    state = JSON.parse(readFileSync(file, 'utf8')) as typeof state;
  } catch {
    throw new CliError(`${file} is not readable JSON: start the product again (npm start)`);
  }
  if (typeof state.port !== 'number' || typeof state.appPassword !== 'string')
    throw new CliError(`${file} lacks the port or password: start the product again (npm start)`);
  return `postgres://afenda_app:${encodeURIComponent(state.appPassword)}@127.0.0.1:${state.port}/postgres`;
}

/** The database, checked to answer before any command uses it. */
export async function openDatabase(max = 2): Promise<{ url: string; database: Database }> {
  const url = cliDatabaseUrl();
  let database: Database;
  try {
    database = createDatabase({ url, max });
  } catch (err) {
    throw new CliError(`DATABASE_URL is not a database URL (${explain(err)})`);
  }
  try {
    await database.ping();
  } catch (err) {
    await database.close().catch(() => undefined);
    throw new CliError(explain(err));
  }
  return { url, database };
}

export interface Column<T> {
  label: string;
  value(row: T): unknown;
}

const cell = (v: unknown): string =>
  v === null || v === undefined
    ? '—'
    : v instanceof Date
      ? v.toISOString()
      : typeof v === 'object'
        ? JSON.stringify(v)
        : String(v).replace(/\s+/g, ' ');

/** Rows as an aligned table (long cells cut at `width`), or "(none)". */
export function table<T>(rows: readonly T[], columns: Column<T>[], width = 60): string[] {
  if (rows.length === 0) return ['(none)'];
  const cells = rows.map((r) =>
    columns.map((c) => {
      const s = cell(c.value(r));
      return s.length > width ? `${s.slice(0, width - 1)}…` : s;
    }),
  );
  const widths = columns.map((c, i) => Math.max(c.label.length, ...cells.map((r) => r[i]!.length)));
  const line = (parts: string[]) =>
    parts
      .map((p, i) => p.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  return [line(columns.map((c) => c.label)), ...cells.map(line)];
}

/** Prints rows as a table, or as JSON (one array) with --json. */
export function print<T>(io: Io, json: boolean, rows: readonly T[], columns: Column<T>[]): void {
  if (json) io.out(JSON.stringify(rows, null, 2));
  else for (const line of table(rows, columns)) io.out(line);
}

/** A UUID, or a one-line mistake naming what it should have been. */
export function uuidArg(value: string, what: string): string {
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value))
    throw new CliError(`"${value}" is not ${what} id (a UUID; \`list\` shows them)`);
  return value;
}

/** Whether the module at `url` is the script node was started with. */
export const isMain = (url: string) =>
  Boolean(process.argv[1]) && pathToFileURL(path.resolve(process.argv[1]!)).href === url;
