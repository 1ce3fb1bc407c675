/**
 * durable-insert: single-row, durably committed inserts into webhook_events through the
 * orchestrator's data layer (`createDatabase(...).withTenant(...)`: one transaction per row,
 * set_config for row-level security, drizzle insert, commit with synchronous_commit on), against
 * pgbench doing the same transaction with the same number of clients, on the same embedded server,
 * as the same unprivileged role, into the same table with RLS on.
 */
import { createDatabase, schema, type Database, type EmbeddedPostgres } from '@afenda/db';
import { spawn, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { scope } from './lib/cleanup.ts';
import { libpqEnv, startBenchPostgres } from './lib/postgres.ts';
import { readSettings } from './lib/settings.ts';
import { percentile, processCpuSeconds, round, watchCpu } from './lib/stats.ts';
import type { BenchResult, Goal } from './lib/types.ts';

export const name = 'durable-insert';
export const goal: Goal = { ratio: 0.5, description: '≥ 0.5× pgbench' };

const SOURCE = 'bench';
const EVENT_TYPE = 'message_created';
const HEADERS = { 'content-type': 'application/json', 'user-agent': 'afenda-bench/1.0' };
/** A webhook of realistic size (~0.5 kB), the same for both sides. */
const PAYLOAD = {
  event: 'message_created',
  id: 4711,
  content: 'Hello, could you confirm the delivery window for order 12345? Thanks!',
  message_type: 'incoming',
  created_at: '2025-01-01T12:00:00Z',
  conversation: { id: 815, status: 'open', inbox_id: 3, channel: 'Channel::WebWidget' },
  sender: { id: 42, name: 'Ada Lovelace', email: 'ada@example.com', type: 'contact' },
  account: { id: 1, name: 'Bench Org' },
  attachments: [],
};

interface Statement {
  text: string;
  values: unknown[];
}

/** Our insert: one row, one transaction, through the data layer exactly as the app writes. */
function insertOne(database: Database, tenantId: string, deliveryId: string): Promise<unknown> {
  return database.withTenant(tenantId, (tx) =>
    tx.insert(schema.webhookEvents).values({
      tenantId,
      source: SOURCE,
      deliveryId,
      eventType: EVENT_TYPE,
      headers: HEADERS,
      payload: PAYLOAD,
    }),
  );
}

/**
 * Records the SQL and parameters the data layer sends for one insert, by wrapping the pool
 * clients' `query` for the duration of a single transaction.
 */
async function captureStatements(
  database: Database,
  tenantId: string,
  deliveryId: string,
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
    await insertOne(database, tenantId, deliveryId);
  } finally {
    proto.query = original;
  }
  return seen;
}

/**
 * pgbench's transaction, generated from the captured statements: the same SQL text, each $n
 * parameter turned into a pgbench variable (sent as a parameter with -M extended) defined with
 * -D, except the delivery id, which must be unique per row and becomes an expression over
 * pgbench's client id and a random number. So when withTenant changes, pgbench follows.
 */
function pgbenchScript(
  statements: Statement[],
  deliveryId: string,
): { script: string; defines: string[] } {
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
      if (value === deliveryId) return "('pgbench-' || :client_id::text || '-' || :rid::text)";
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

const pct = (v: number | undefined) => (v === undefined ? '?' : `${Math.round(v * 100)}%`);

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

interface Run {
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

async function resetTable(adminUrl: string): Promise<void> {
  // The app role may not TRUNCATE; the superuser may. A checkpoint afterwards gives the next run
  // the same starting point (no dirty pages to flush, full-page writes begin anew).
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query('truncate webhook_events');
    await admin.query('checkpoint');
  } finally {
    await admin.end();
  }
}

async function countRows(adminUrl: string, prefix: string): Promise<number> {
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    const { rows } = await admin.query<{ n: string }>(
      'select count(*) as n from webhook_events where delivery_id like $1',
      [`${prefix}%`],
    );
    return Number(rows[0]?.n ?? 0);
  } finally {
    await admin.end();
  }
}

async function runPgbench(
  pgbench: string,
  embedded: EmbeddedPostgres,
  transaction: { script: string; defines: string[] },
  clients: number,
  durationS: number,
  workDir: string,
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
    const child = spawn(pgbench, args, {
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

async function runOurs(
  database: Database,
  tenantId: string,
  clients: number,
  durationS: number,
): Promise<Run> {
  // Open every connection first, as pgbench does before its clock starts.
  const held = await Promise.all(Array.from({ length: clients }, () => database.pool.connect()));
  for (const client of held) client.release();

  const latencies: number[] = [];
  const machine = watchCpu([]);
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const deadline = started + durationS * 1000;
  const worker = async () => {
    while (performance.now() < deadline) {
      const t0 = performance.now();
      await insertOne(database, tenantId, `ours-${randomUUID()}`);
      latencies.push(performance.now() - t0);
    }
  };
  await Promise.all(Array.from({ length: clients }, worker));
  const elapsedS = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  const machineCpuBusy = machine.machineBusy();
  const average = latencies.reduce((a, b) => a + b, 0) / Math.max(1, latencies.length);
  return {
    rowsPerSecond: round(latencies.length / elapsedS, 1),
    rows: latencies.length,
    latencyMs: {
      average: round(average, 3),
      p50: round(percentile(latencies, 50), 3),
      p99: round(percentile(latencies, 99), 3),
    },
    clientCpuMsPerRow: round((cpuSeconds * 1000) / Math.max(1, latencies.length), 4),
    clientCpuCores: round(cpuSeconds / elapsedS),
    ...(machineCpuBusy !== undefined ? { machineCpuBusy } : {}),
  };
}

export function run(): Promise<BenchResult> {
  return scope(async (defer) => {
    const settings = readSettings();
    const pgbench = findPgbench();
    const workDir = await mkdtemp(path.join(tmpdir(), 'afenda-bench-pgbench-'));
    defer(`remove ${workDir}`, () => rm(workDir, { recursive: true, force: true }));
    const embedded = await startBenchPostgres(defer);

    const database = createDatabase({ url: embedded.appUrl, max: settings.clients });
    defer('close the database pool', () => database.close());
    const [tenant] = await database.transaction({ sync: true }, (tx) =>
      tx
        .insert(schema.tenants)
        .values({ kind: 'organization', slug: 'bench', name: 'Bench' })
        .returning(),
    );
    if (!tenant) throw new Error('could not create the bench tenant');
    const { clients, durationS, warmupS } = settings;

    const probeId = `probe-${randomUUID()}`;
    const statements = await captureStatements(database, tenant.id, probeId);
    const transaction = pgbenchScript(statements, probeId);

    // Warm-up on both sides (JIT, WAL segments, caches), then an empty table for each measured run.
    await runPgbench(pgbench, embedded, transaction, clients, warmupS, workDir);
    await runOurs(database, tenant.id, clients, warmupS);

    await resetTable(embedded.adminUrl);
    const { output, ...baseline } = await runPgbench(
      pgbench,
      embedded,
      transaction,
      clients,
      durationS,
      workDir,
    );
    const pgbenchRowsInTable = await countRows(embedded.adminUrl, 'pgbench-');

    await resetTable(embedded.adminUrl);
    const ours = await runOurs(database, tenant.id, clients, durationS);
    const oursRowsInTable = await countRows(embedded.adminUrl, 'ours-');

    if (pgbenchRowsInTable !== baseline.rows || oursRowsInTable !== ours.rows) {
      throw new Error(
        `row counts do not match: pgbench reported ${baseline.rows}, table has ${pgbenchRowsInTable}; ours counted ${ours.rows}, table has ${oursRowsInTable}`,
      );
    }
    const version = spawnSync(pgbench, ['--version'], { encoding: 'utf8' }).stdout.trim();
    return {
      figure: ours.rowsPerSecond,
      baseline: baseline.rowsPerSecond,
      unit: 'rows/s',
      details: {
        summary:
          `latency p50/p99 ${ours.latencyMs.p50}/${ours.latencyMs.p99} ms vs pgbench ${baseline.latencyMs.p50 ?? '?'}/${baseline.latencyMs.p99 ?? '?'} ms; ` +
          `client CPU ${ours.clientCpuMsPerRow} ms/row (${ours.clientCpuCores} cores) vs pgbench ${baseline.clientCpuMsPerRow ?? '?'} ms/row (${baseline.clientCpuCores ?? '?'} cores); ` +
          `machine busy ${pct(ours.machineCpuBusy)} vs ${pct(baseline.machineCpuBusy)}`,
        clients,
        durationS,
        warmupS,
        ours,
        pgbench: {
          ...baseline,
          binary: pgbench,
          version,
          script: transaction.script.trim().split('\n'),
          summary: output.split('\n'),
        },
      },
    };
  });
}
