/** What every `<name>.bench.ts` exports; `run.ts` collects them. */
export interface Goal {
  /** The figure must be at least this multiple of the baseline measured in the same run. */
  ratio: number;
  /** One line for the table, e.g. "≥ 0.8× bare node:http". */
  description: string;
}

export interface BenchResult {
  /** Ours: higher is better (requests/s, rows/s). */
  figure: number;
  /** The reference implementation's figure, measured in the same run on the same machine. */
  baseline: number;
  unit: string;
  details: Record<string, unknown>;
}

export interface Benchmark {
  name: string;
  goal: Goal;
  run(): Promise<BenchResult>;
}
