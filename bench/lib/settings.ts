// Run-wide knobs, all from the environment so CI and a laptop can differ without edits.

/** A whole number of at least 1 from the environment variable `name`, or `fallback` when unset. */
export function positiveInt(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < 1) {
    throw new Error(`${name} must be a whole number of at least 1 (got "${raw}")`);
  }
  return Number(raw);
}

export interface Settings {
  /** Seconds each measured phase lasts (BENCH_DURATION_S, default 10). */
  durationS: number;
  /** Concurrent HTTP connections for autocannon (BENCH_CONNECTIONS, default 50). */
  connections: number;
  /** Concurrent database clients for the insert benchmark (BENCH_CLIENTS, default 8). */
  clients: number;
  /** Seconds of unmeasured warm-up before each measured phase (BENCH_WARMUP_S, default 2). */
  warmupS: number;
}

export function readSettings(): Settings {
  return {
    durationS: positiveInt('BENCH_DURATION_S', 10),
    connections: positiveInt('BENCH_CONNECTIONS', 50),
    clients: positiveInt('BENCH_CLIENTS', 8),
    warmupS: positiveInt('BENCH_WARMUP_S', 2),
  };
}
