/**
 * pgbench as a baseline: find the binary, turn what our data layer sends into a pgbench script,
 * run it against the embedded server and read its throughput, latencies and CPU.
 */
import type { Database, EmbeddedPostgres } from '@afenda/db';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Defer } from './cleanup.ts';
import { libpqEnv } from './postgres.ts';
import { percentile, processCpuSeconds, round, watchCpu } from './stats.ts';

/** One statement as node-postgres sent it: SQL text and parameter values. */
export interface Statement {
  text: string;
  values: unknown[];
}

/**
 * Records the SQL and parameters the data layer sends while `fn` runs, by wrapping the pool
 * clients' `query` (on their shared prototype) until it settles. Run it with nothing else in
 * flight on the pool: every query sent meanwhile is recorded.
 */
export async function captureStatements(
  database: Database,
  fn: () => Promise<unknown>,
): Promise<Statement[]> {
  const probe = await database.pool.connect();
  const proto = Object.getPrototypeOf(probe) as { query: (...args: unknown[]) => unknown };
  probe.release();
  const original = proto.query;
  const seen: Statement[] = [];
  proto.query = function (this: unknown, ...args: unknown[]) {
    const [config, values] = args;
    const text = typeof config === 'string' ? config : (config as { text?: unknown })?.text;
    const params = Array.isArray(values)
      ? values
      : ((config as { values?: unknown[] })?.values ?? []);
    if (typeof text === 'string') seen.push({ text, values: params });
    return original.apply(this, args);
  };
  try {
    await fn();
  } finally {
    proto.query = original;
  }
  return seen;
}

export interface PgbenchTransaction {
  script: string;
  defines: string[];
}

/**
 * pgbench's transaction, generated from captured statements: the same SQL text, each $n
 * parameter turned into a pgbench variable (sent as a parameter with -M extended) defined with
 * -D, except `uniqueValue`, which must differ per row and becomes an expression over pgbench's
 * client id and a random number. So when the data layer changes, pgbench follows.
 */
export function pgbenchScript(statements: Statement[], uniqueValue: string): PgbenchTransaction {
  const defines: string[] = [];
  const lines = ['\\set rid random(1, 9000000000000000000)'];
  for (const { text, values } of statements) {
    const oneLine = text.replace(/\s+/g, ' ').trim();
    if (/(^|[^:]):[A-Za-z_]/.test(oneLine)) {
      throw new Error(
        `cannot hand this statement to pgbench (it reads :name as a variable): ${oneLine}`,
      );
    }
    const sql = oneLine.replace(/\$(\d+)/g, (_, index: string) => {
      const value = values[Number(index) - 1];
      if (value === uniqueValue) return "('pgbench-' || :client_id::text || '-' || :rid::text)";
      if (value === null || value === undefined) {
        throw new Error(`parameter $${index} of "${oneLine}" is null: pgbench cannot pass that`);
      }
      const text = typeof value === 'object' ? JSON.stringify(value) : String(value);
      if (text === '') return "''"; // pgbench refuses an empty -D value; a literal is the same
      const name = `p${defines.length + 1}`;
      defines.push(`${name}=${text}`);
      return `:${name}`;
    });
    lines.push(`${sql};`);
  }
  return { script: `${lines.join('\n')}\n`, defines };
}

function findPgbench(): string {
  const onPath = spawnSync('sh', ['-c', 'command -v pgbench'], { encoding: 'utf8' });
  if (onPath.status === 0 && onPath.stdout.trim()) return onPath.stdout.trim();
  const root = '/usr/lib/postgresql';
  if (existsSync(root)) {
    const versions = readdirSync(root)
      .filter((v) => existsSync(path.join(root, v, 'bin', 'pgbench')))
      .sort((a, b) => Number(b) - Number(a));
    if (versions[0]) return path.join(root, versions[0], 'bin', 'pgbench');
  }
  throw new Error(
    'pgbench not found (neither on PATH nor in /usr/lib/postgresql/*/bin): install it, e.g. `apt-get install postgresql-contrib` (Debian/Ubuntu) or `brew install postgresql`',
  );
}

/** The pgbench binary and a scratch folder for its script and logs (removed by the scope). */
export interface Pgbench {
  binary: string;
  version: string;
  workDir: string;
}

/** Finds pgbench (throws with install hints when there is none) and makes its scratch folder. */
export async function preparePgbench(defer: Defer): Promise<Pgbench> {
  const binary = findPgbench();
  const version = spawnSync(binary, ['--version'], { encoding: 'utf8' }).stdout.trim();
  const workDir = await mkdtemp(path.join(tmpdir(), 'afenda-bench-pgbench-'));
  defer(`remove ${workDir}`, () => rm(workDir, { recursive: true, force: true }));
  return { binary, version, workDir };
}

/** One measured run of single-row transactions, ours or pgbench's. */
export interface Run {
  rowsPerSecond: number;
  rows: number;
  latencyMs: { average: number; p50?: number; p99?: number };
  /** CPU the client side (this Node process, or pgbench) used per row, in ms. */
  clientCpuMsPerRow?: number;
  /** CPU the client side used, in cores (1.0 = one core flat out). */
  clientCpuCores?: number;
  /** Share of all the machine's cores busy during the run (PostgreSQL included), 0..1. */
  machineCpuBusy?: number;
}

/**
 * Runs pgbench with `clients` clients for `durationS` seconds as the embedded server's app role
 * (through the libpq environment), over extended protocol, with a per-transaction log for
 * latencies. Throws when pgbench fails or reports failed transactions.
 */
export async function runPgbench(
  { binary, workDir }: Pgbench,
  embedded: EmbeddedPostgres,
  transaction: PgbenchTransaction,
  clients: number,
  durationS: number,
): Promise<Run & { output: string }> {
  const script = path.join(workDir, 'insert.sql');
  await writeFile(script, transaction.script);
  const logDir = await mkdtemp(path.join(workDir, 'log-'));
  const args = [
    '--no-vacuum',
    `--client=${clients}`,
    `--jobs=${Math.min(2, clients)}`,
    `--time=${durationS}`,
    // Parameters sent separately from the SQL, as node-postgres does for parameterised queries.
    '--protocol=extended',
    `--file=${script}`,
    ...transaction.defines.map((d) => `--define=${d}`),
    '--log',
    `--log-prefix=${path.join(logDir, 'pgbench')}`,
  ];
  const machine = watchCpu([]);
  let cpuSeconds: number | undefined;
  const output = await new Promise<string>((resolve, reject) => {
    const child = spawn(binary, args, {
      cwd: workDir,
      env: { ...process.env, ...libpqEnv(embedded.appUrl), PGAPPNAME: 'pgbench' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    // pgbench's CPU time, sampled until it exits (Node cannot read a child's rusage): the last
    // sample is at most 100 ms old, a small under-count.
    const poll = setInterval(() => {
      cpuSeconds = processCpuSeconds(child.pid as number) ?? cpuSeconds;
    }, 100);
    child.on('exit', () => clearInterval(poll));
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (out += c.toString('utf8')));
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0 ? resolve(out) : reject(new Error(`pgbench exited with code ${code}:\n${out}`)),
    );
  });
  const tps = /^tps = ([\d.]+) \(without initial connection time\)/m.exec(output);
  const processed = /number of transactions actually processed: (\d+)/.exec(output);
  const failed = /number of failed transactions: (\d+)/.exec(output);
  const average = /latency average = ([\d.]+) ms/.exec(output);
  if (!tps || !processed || !average) throw new Error(`cannot read pgbench's summary:\n${output}`);
  if (failed && Number(failed[1]) > 0)
    throw new Error(`pgbench had failed transactions:\n${output}`);

  // Per-transaction log lines: client_id transaction_no time_us script_no epoch epoch_us
  const latencies: number[] = [];
  for (const file of await readdir(logDir)) {
    for (const line of (await readFile(path.join(logDir, file), 'utf8')).split('\n')) {
      const us = Number(line.split(' ')[2]);
      if (line && Number.isFinite(us)) latencies.push(us / 1000);
    }
  }
  await rm(logDir, { recursive: true, force: true });
  const machineCpuBusy = machine.machineBusy();
  return {
    rowsPerSecond: round(Number(tps[1]), 1),
    rows: Number(processed[1]),
    ...(cpuSeconds !== undefined
      ? {
          clientCpuMsPerRow: round((cpuSeconds * 1000) / Math.max(1, Number(processed[1])), 4),
          clientCpuCores: round(cpuSeconds / durationS),
        }
      : {}),
    ...(machineCpuBusy !== undefined ? { machineCpuBusy } : {}),
    latencyMs: {
      average: Number(average[1]),
      ...(latencies.length > 0
        ? { p50: round(percentile(latencies, 50), 3), p99: round(percentile(latencies, 99), 3) }
        : {}),
    },
    output: output.trim(),
  };
}
