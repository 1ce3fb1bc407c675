/** What every `<name>.bench.ts` exports; `run.ts` collects them. */
export interface Goal {
  /**
   * The ratio figure / baseline must reach, both measured in the same run: at least this much,
   * or at most with `lowerIsBetter`. Left out: the figure is informational and the row says
   * REPORT instead of PASS or MISS.
   */
  ratio?: number;
  /** The figures are costs (latencies): lower is better and the goal is ratio ≤ `ratio`. */
  lowerIsBetter?: boolean;
  /** One line for the table, e.g. "≥ 0.8× bare node:http". */
  description: string;
}

/** A further figure from the same run (sharing its setup), shown as its own table row. */
export interface ExtraResult {
  /** The row is named `<benchmark>/<key>`. */
  key: string;
  goal: Goal;
  figure: number;
  baseline: number;
  unit: string;
  baselineUnit?: string;
  /** One line printed under the table. */
  summary?: string;
}

export interface BenchResult {
  /** Ours: higher is better (requests/s, rows/s), unless the goal says `lowerIsBetter`. */
  figure: number;
  /** The reference implementation's figure, measured in the same run on the same machine. */
  baseline: number;
  unit: string;
  /** The baseline's unit when it is not `unit` (flows/s against inserts/s). */
  baselineUnit?: string;
  details: Record<string, unknown>;
  /** More figures measured on the same setup (an expensive data load, say), each with a goal. */
  extra?: ExtraResult[];
}

export interface Benchmark {
  name: string;
  goal: Goal;
  run(): Promise<BenchResult>;
}
