import { percentile, round, watchCpu } from './stats.ts';

export interface LoopResult {
  operations: number;
  seconds: number;
  /** Milliseconds per operation, in completion order. */
  latencies: number[];
  /** CPU this process used meanwhile, user + system. */
  cpuSeconds: number;
  /** Share of all the machine's cores busy meanwhile (any process), 0..1. */
  machineCpuBusy?: number;
}

/** Anything that hands out connections: a pg.Pool, or `database.pool`. */
interface Pool {
  connect(): Promise<{ release(): void }>;
}

/**
 * A closed loop: `clients` workers, each calling `operation` back to back until `durationS`
 * have passed (an operation under way finishes). When given a pool, `clients` connections are
 * opened first, as pgbench does before its clock starts.
 */
export async function closedLoop(
  pool: Pool | undefined,
  clients: number,
  durationS: number,
  operation: () => Promise<unknown>,
): Promise<LoopResult> {
  if (pool) {
    const held = await Promise.all(Array.from({ length: clients }, () => pool.connect()));
    for (const client of held) client.release();
  }
  const latencies: number[] = [];
  const machine = watchCpu([]);
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const deadline = started + durationS * 1000;
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (performance.now() < deadline) {
        const t0 = performance.now();
        await operation();
        latencies.push(performance.now() - t0);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  const machineCpuBusy = machine.machineBusy();
  return {
    operations: latencies.length,
    seconds,
    latencies,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    ...(machineCpuBusy !== undefined ? { machineCpuBusy } : {}),
  };
}

/** p50 and p99 in ms, rounded to µs. */
export function p50p99(values: number[]): { p50: number; p99: number } {
  return { p50: round(percentile(values, 50), 3), p99: round(percentile(values, 99), 3) };
}
