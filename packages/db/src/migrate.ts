import { EventEmitter } from 'node:events';
import { Logger, runMigrations } from 'graphile-worker';
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type pg from 'pg';

/** The kernel's migrations: the tables no tool module owns. */
export const MIGRATIONS_DIR = fileURLToPath(new URL('../migrations/', import.meta.url));
/** The repository's tool modules: each may ship its tables in `modules/<tool>/migrations/`. */
export const MODULES_DIR = fileURLToPath(new URL('../../../modules/', import.meta.url));

/** Roles the schema is built around. The login role the application uses joins APP_ACCESS_ROLE. */
export const OWNER_ROLE = 'afenda_owner';
export const APP_ACCESS_ROLE = 'afenda_app_access';
const LOCK_KEY = 7_315_020_041; // arbitrary, stable: serialises concurrent migrators

export interface MigrationFile {
  version: string;
  name: string;
  /** Where the file was read from (errors name it). */
  path: string;
  sql: string;
  checksum: string;
}

export interface MigrationStatus {
  applied: number;
  pending: string[];
}

/**
 * The folders migrations are read from: the kernel's, then `<modulesDir>/<tool>/migrations/` of
 * every tool module that has one, by tool name. Looked up at each call, so a tool's tables come
 * and go with its folder.
 */
export async function migrationDirs(modulesDir: string = MODULES_DIR): Promise<string[]> {
  const tools = (await readdirIfAny(modulesDir)) ?? [];
  const found: string[] = [];
  for (const tool of tools.sort()) {
    const dir = path.join(modulesDir, tool, 'migrations');
    if (await readdirIfAny(dir)) found.push(dir);
  }
  return [MIGRATIONS_DIR, ...found];
}

/** A folder's entries, or undefined when there is no such folder. */
async function readdirIfAny(dir: string): Promise<string[] | undefined> {
  try {
    return await readdir(dir);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw err;
  }
}

/**
 * Every `NNNN_name.sql` in the given folders (by default migrationDirs()), merged in version
 * order. The version is the one history key across all folders: two files with the same one are
 * refused, whichever folders they sit in.
 */
export async function readMigrations(dirs?: readonly string[]): Promise<MigrationFile[]> {
  const files: MigrationFile[] = [];
  for (const dir of dirs ?? (await migrationDirs())) {
    const names = (await readdir(dir)).filter((f) => /^\d{4}_[a-z0-9_]+\.sql$/.test(f));
    for (const file of names) {
      const sql = await readFile(path.join(dir, file), 'utf8');
      files.push({
        version: file.slice(0, 4),
        name: file.replace(/\.sql$/, ''),
        path: path.join(dir, file),
        sql,
        checksum: createHash('sha256').update(sql).digest('hex'),
      });
    }
  }
  files.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (let i = 1; i < files.length; i++) {
    const [a, b] = [files[i - 1]!, files[i]!];
    if (a.version === b.version) {
      throw new Error(
        `two migrations have version ${a.version}: ${a.path} and ${b.path}; give one of them the next free number`,
      );
    }
  }
  return files;
}

export interface AppRoleCredentials {
  name: string;
  password: string;
}

function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
function quoteLiteral(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

/**
 * Creates the owner and access roles and, when given, the application's login role, from an
 * administrative connection. Idempotent. The login role is created without SUPERUSER or
 * BYPASSRLS and owns nothing, so row-level security always applies to it. An existing role only
 * gets its password refreshed: changing SUPERUSER/BYPASSRLS needs a superuser, which managed
 * databases don't give; assertUnprivilegedRole refuses a privileged role at start instead.
 */
export async function ensureRoles(
  admin: pg.ClientBase,
  appRole?: AppRoleCredentials,
): Promise<void> {
  const { rows } = await admin.query<{ rolsuper: boolean; rolcreaterole: boolean; db: string }>(
    'select rolsuper, rolcreaterole, current_database() as db from pg_roles where rolname = current_user',
  );
  const me = rows[0];
  if (!me || (!me.rolsuper && !me.rolcreaterole)) return; // roles are provisioned by the operator
  for (const role of [OWNER_ROLE, APP_ACCESS_ROLE]) {
    await admin.query(
      `do $$ begin if not exists (select 1 from pg_roles where rolname = ${quoteLiteral(role)}) then create role ${quoteIdent(role)} nologin; end if; exception when duplicate_object or unique_violation then null; end $$`,
    );
  }
  if (!me.rolsuper) await admin.query(`grant ${quoteIdent(OWNER_ROLE)} to current_user`);
  await admin.query(
    `grant create, connect on database ${quoteIdent(me.db)} to ${quoteIdent(OWNER_ROLE)}`,
  );
  await admin.query(`grant create, usage on schema public to ${quoteIdent(OWNER_ROLE)}`);
  await admin.query(
    `grant connect on database ${quoteIdent(me.db)} to ${quoteIdent(APP_ACCESS_ROLE)}`,
  );
  if (appRole) {
    const name = quoteIdent(appRole.name);
    const password = quoteLiteral(appRole.password);
    await admin.query(
      `do $$ begin if not exists (select 1 from pg_roles where rolname = ${quoteLiteral(appRole.name)}) then create role ${name} login password ${password} nosuperuser nobypassrls nocreatedb nocreaterole; else alter role ${name} login password ${password}; end if; exception when duplicate_object or unique_violation then null; end $$`,
    );
    await admin.query(`grant ${quoteIdent(APP_ACCESS_ROLE)} to ${name}`);
  }
}

/**
 * Applies pending migrations in order, each in its own transaction as the owner role, under an
 * advisory lock so that several replicas starting together apply each migration once.
 * An applied migration whose file changed afterwards stops the process: history is immutable.
 */
export async function migrate(
  admin: pg.Pool,
  options: { appRole?: AppRoleCredentials; dirs?: readonly string[] } = {},
): Promise<{ applied: string[] }> {
  const files = await readMigrations(options.dirs);
  const client = await admin.connect();
  const applied: string[] = [];
  try {
    // Replicas starting together take turns (the lock is this database's), and the roles,
    // shared by every database of the server, are retried when another database's migration
    // changes them at the same moment ("tuple concurrently updated").
    await client.query('select pg_advisory_lock($1)', [LOCK_KEY]);
    for (let attempt = 1; ; attempt++) {
      try {
        await ensureRoles(client, options.appRole);
        break;
      } catch (err) {
        if (attempt >= 5 || !/tuple concurrently (updated|deleted)/.test(String(err))) throw err;
        await new Promise((r) => setTimeout(r, 50 * attempt));
      }
    }
    await client.query(`set role ${quoteIdent(OWNER_ROLE)}`);
    await client.query(`create table if not exists afenda_migrations (
      version text primary key,
      name text not null,
      checksum text not null,
      applied_at timestamptz not null default now()
    )`);
    await client.query(`grant select on afenda_migrations to ${quoteIdent(APP_ACCESS_ROLE)}`);
    const done = new Map(
      (
        await client.query<{ version: string; checksum: string }>(
          'select version, checksum from afenda_migrations',
        )
      ).rows.map((r) => [r.version, r.checksum]),
    );
    for (const file of files) {
      const checksum = done.get(file.version);
      if (checksum !== undefined) {
        if (checksum !== file.checksum) {
          throw new Error(
            `migration ${file.name} was changed after it was applied (checksum mismatch); add a new migration instead`,
          );
        }
        continue;
      }
      await client.query('begin');
      try {
        await client.query(file.sql);
        await client.query(
          'insert into afenda_migrations (version, name, checksum) values ($1, $2, $3)',
          [file.version, file.name, file.checksum],
        );
        await client.query('commit');
        applied.push(file.name);
      } catch (err) {
        await client.query('rollback');
        throw new Error(`migration ${file.name} failed: ${(err as Error).message}`, { cause: err });
      }
    }
    await migrateJobQueue(client);
  } finally {
    await client.query('reset role').catch(() => undefined);
    await client.query('select pg_advisory_unlock_all()').catch(() => undefined);
    client.release();
  }
  return { applied };
}

/** Which migrations the database has, compared with the files shipped with this build. */
export async function migrationStatus(
  pool: pg.Pool,
  dirs?: readonly string[],
): Promise<MigrationStatus> {
  const files = await readMigrations(dirs);
  const exists = await pool.query<{ ok: boolean }>(
    "select to_regclass('public.afenda_migrations') is not null as ok",
  );
  if (!exists.rows[0]?.ok) return { applied: 0, pending: files.map((f) => f.name) };
  const { rows } = await pool.query<{ version: string }>('select version from afenda_migrations');
  const have = new Set(rows.map((r) => r.version));
  return {
    applied: have.size,
    pending: files.filter((f) => !have.has(f.version)).map((f) => f.name),
  };
}

/**
 * Refuses a login role that row-level security would not bind: a superuser, a BYPASSRLS role,
 * or one that owns (or is a member of the owner of) the tables.
 */
export async function assertUnprivilegedRole(pool: pg.Pool): Promise<void> {
  const { rows } = await pool.query<{
    rolname: string;
    rolsuper: boolean;
    rolbypassrls: boolean;
    owner: boolean;
  }>(
    `select r.rolname, r.rolsuper, r.rolbypassrls,
            exists (select 1 from pg_roles o where o.rolname = $1 and pg_has_role(current_user, o.oid, 'member')) as owner
       from pg_roles r where r.rolname = current_user`,
    [OWNER_ROLE],
  );
  const role = rows[0];
  if (!role) throw new Error('cannot read the current role from pg_roles');
  const problems = [
    role.rolsuper && 'is a superuser',
    role.rolbypassrls && 'has BYPASSRLS',
    role.owner && `is a member of ${OWNER_ROLE}, which owns the tables`,
  ].filter(Boolean);
  if (problems.length > 0) {
    throw new Error(
      `DATABASE_URL connects as role "${role.rolname}", which ${problems.join(' and ')}: row-level security would not apply. Connect as an unprivileged role and give DATABASE_ADMIN_URL for migrations.`,
    );
  }
}

/**
 * The job queue's own schema (graphile-worker), installed and upgraded here, as the owner role
 * and under the same lock, so that the application role never needs DDL rights: the workers
 * find it up to date and only use it.
 */
async function migrateJobQueue(client: pg.PoolClient): Promise<void> {
  // graphile-worker takes a pool; lend it this one connection (and its role) for the duration.
  const lent = Object.assign(new EventEmitter(), {
    connect: async () => client,
    end: async () => undefined,
  });
  // (it checks for error listeners, as on any pool; errors surface from the queries themselves)
  lent.on('error', () => undefined);
  lent.on('connect', () => undefined);
  const release = client.release;
  client.release = () => undefined;
  try {
    await runMigrations({
      pgPool: lent as unknown as pg.Pool,
      logger: new Logger(() => () => undefined),
    });
  } finally {
    client.release = release;
  }
  const app = quoteIdent(APP_ACCESS_ROLE);
  await client.query(
    `grant usage on schema graphile_worker to ${app};
     grant select, insert, update, delete on all tables in schema graphile_worker to ${app};
     grant usage, select on all sequences in schema graphile_worker to ${app};
     grant execute on all functions in schema graphile_worker to ${app};`,
  );
  // graphile-worker turns row-level security on for its private tables (only their owner may
  // use them); the application role is who runs the workers here, so it gets a policy of its own.
  const { rows } = await client.query<{ name: string }>(
    `select quote_ident(c.relname) as name from pg_class c
      where c.relnamespace = 'graphile_worker'::regnamespace and c.relkind = 'r' and c.relrowsecurity
        and not exists (select 1 from pg_policy p where p.polrelid = c.oid and p.polname = 'afenda_app_jobs')`,
  );
  for (const { name } of rows) {
    await client.query(
      `create policy afenda_app_jobs on graphile_worker.${name} for all to ${app} using (true) with check (true);`,
    );
  }
}
