/**
 * Runs every `*.bench.ts` in this folder (or only BENCH_ONLY=name[,name]), one after the other,
 * prints a table and writes bench/results/latest.json. Exit code 0 even when a goal is missed
 * (the goals are informational); 1 when a benchmark crashed.
 */
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { cleanupAll } from './lib/cleanup.ts';
import { readSettings } from './lib/settings.ts';
import { round, watchCpu } from './lib/stats.ts';
import type { Benchmark, BenchResult } from './lib/types.ts';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const RESULTS = path.join(HERE, 'results', 'latest.json');

interface Row {
  name: string;
  goal: Benchmark['goal'];
  status: 'pass' | 'miss' | 'report' | 'crashed';
  figure?: number;
  baseline?: number;
  unit?: string;
  baselineUnit?: string;
  ratio?: number;
  seconds: number;
  /** Share of the machine's CPU busy in the second before the benchmark: other people's work. */
  busyBefore?: number;
  details?: BenchResult['details'];
  error?: string;
}

async function collect(): Promise<Benchmark[]> {
  const files = (await readdir(HERE)).filter((f) => f.endsWith('.bench.ts')).sort();
  const benches: Benchmark[] = [];
  for (const file of files) {
    const mod = (await import(pathToFileURL(path.join(HERE, file)).href)) as Partial<Benchmark>;
    if (typeof mod.name !== 'string' || typeof mod.run !== 'function' || !mod.goal) {
      throw new Error(`${file} must export name, goal and run()`);
    }
    benches.push({ name: mod.name, goal: mod.goal, run: mod.run });
  }
  const only = (process.env.BENCH_ONLY ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const unknown = only.filter((n) => !benches.some((b) => b.name === n));
  if (unknown.length > 0) {
    throw new Error(
      `BENCH_ONLY names no benchmark: ${unknown.join(', ')} (have ${benches.map((b) => b.name).join(', ')})`,
    );
  }
  return only.length > 0 ? benches.filter((b) => only.includes(b.name)) : benches;
}

/** PASS/MISS against the goal's ratio (at least, or at most for costs); REPORT without one. */
function verdict(goal: Benchmark['goal'], ratio: number): Row['status'] {
  if (goal.ratio === undefined) return 'report';
  return (goal.lowerIsBetter ? ratio <= goal.ratio : ratio >= goal.ratio) ? 'pass' : 'miss';
}

function oneLine(message: string): string {
  const text = message
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .join(' | ');
  return text.length > 160 ? `${text.slice(0, 157)}...` : text;
}

/** How busy the machine is before we start: other processes' share of the CPU over one second. */
async function otherLoad(): Promise<number | undefined> {
  const watch = watchCpu([]);
  await new Promise((r) => setTimeout(r, 1000));
  return watch.machineBusy();
}

function fmt(n: number | undefined): string {
  if (n === undefined || !Number.isFinite(n)) return '-';
  return n >= 100 ? Math.round(n).toLocaleString('en-US') : String(round(n, 2));
}

function table(rows: Row[]): string {
  const header = ['benchmark', 'figure', 'baseline', 'ratio', 'goal', 'result'];
  const lines = rows.map((r) => [
    r.name,
    r.figure === undefined ? '-' : `${fmt(r.figure)} ${r.unit}`,
    r.baseline === undefined ? '-' : `${fmt(r.baseline)} ${r.baselineUnit ?? r.unit}`,
    r.ratio === undefined ? '-' : `${r.ratio.toFixed(2)}×`,
    r.goal.description,
    r.status === 'crashed' ? `CRASHED: ${oneLine(r.error ?? '')}` : r.status.toUpperCase(),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => (l[i] ?? '').length)));
  const render = (cells: string[]) =>
    cells
      .map((c, i) =>
        i === 1 || i === 2 || i === 3 ? c.padStart(widths[i] ?? 0) : c.padEnd(widths[i] ?? 0),
      )
      .join('  ')
      .trimEnd();
  return [render(header), widths.map((w) => '-'.repeat(w)).join('  '), ...lines.map(render)].join(
    '\n',
  );
}

async function main(): Promise<number> {
  const settings = readSettings();
  const benches = await collect();
  const startedAt = new Date();
  console.log(
    `bench: ${benches.map((b) => b.name).join(', ')} — ${settings.durationS} s per phase, ${settings.connections} HTTP connections, ${settings.clients} insert clients, ${os.cpus().length} CPUs`,
  );
  const rows: Row[] = [];
  for (const bench of benches) {
    if (interrupted) break;
    console.log(`bench: running ${bench.name} …`);
    const t0 = performance.now();
    const busyBefore = await otherLoad();
    try {
      const result = await bench.run();
      const seconds = round((performance.now() - t0) / 1000, 1);
      const ratioOf = (r: { figure: number; baseline: number }) =>
        r.baseline > 0 ? r.figure / r.baseline : Number.NaN;
      const ratio = ratioOf(result);
      rows.push({
        name: bench.name,
        goal: bench.goal,
        status: verdict(bench.goal, ratio),
        figure: result.figure,
        baseline: result.baseline,
        unit: result.unit,
        ...(result.baselineUnit ? { baselineUnit: result.baselineUnit } : {}),
        ratio: round(ratio, 3),
        seconds,
        busyBefore,
        details: result.details,
      });
      for (const extra of result.extra ?? []) {
        const r = ratioOf(extra);
        rows.push({
          name: `${bench.name}/${extra.key}`,
          goal: extra.goal,
          status: verdict(extra.goal, r),
          figure: extra.figure,
          baseline: extra.baseline,
          unit: extra.unit,
          ...(extra.baselineUnit ? { baselineUnit: extra.baselineUnit } : {}),
          ratio: round(r, 3),
          seconds,
          busyBefore,
          ...(extra.summary ? { details: { summary: extra.summary } } : {}),
        });
      }
    } catch (err) {
      const error = err instanceof Error ? err.message : String(err);
      console.error(`bench: ${bench.name} crashed: ${err instanceof Error ? err.stack : error}`);
      rows.push({
        name: bench.name,
        goal: bench.goal,
        status: 'crashed',
        seconds: round((performance.now() - t0) / 1000, 1),
        busyBefore,
        error,
      });
    }
  }

  if (interrupted) return 130;
  console.log(`\n${table(rows)}\n`);
  for (const r of rows) {
    if (typeof r.details?.summary === 'string') console.log(`${r.name}: ${r.details.summary}`);
  }
  const busiest = Math.max(0, ...rows.map((r) => r.busyBefore ?? 0));
  if (busiest > 0.2) {
    console.log(
      `bench: note: other processes kept ${Math.round(busiest * 100)}% of the CPU busy just before a benchmark started; figures from a busy machine are noisy (see busyBefore and machineCpuBusy in the JSON)`,
    );
  }
  await mkdir(path.dirname(RESULTS), { recursive: true });
  await writeFile(
    RESULTS,
    `${JSON.stringify(
      {
        startedAt: startedAt.toISOString(),
        finishedAt: new Date().toISOString(),
        settings,
        machine: {
          cpus: os.cpus().length,
          cpuModel: os.cpus()[0]?.model,
          memoryGiB: round(os.totalmem() / 2 ** 30, 1),
          node: process.version,
          platform: `${process.platform}-${process.arch}`,
        },
        results: rows,
      },
      null,
      2,
    )}\n`,
  );
  console.log(`\nbench: results written to ${path.relative(process.cwd(), RESULTS) || RESULTS}`);
  return rows.some((r) => r.status === 'crashed') ? 1 : 0;
}

// First signal: tear everything down, then exit 130. Later signals (a terminal sends SIGINT to
// the whole process group, and tsx relays it once more) are ignored while that happens.
let interrupted: Promise<void> | undefined;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (interrupted) return;
    console.error(`bench: ${signal}, cleaning up`);
    interrupted = cleanupAll().finally(() => process.exit(130));
  });
}

main().then(
  (code) => {
    if (!interrupted) process.exit(code);
  },
  async (err: unknown) => {
    console.error(`bench: ${err instanceof Error ? err.message : String(err)}`);
    await cleanupAll();
    if (!interrupted) process.exit(1);
  },
);
