import { readdirSync, readFileSync } from 'node:fs';

/** Nearest-rank percentile of an unsorted sample (sorted in place). */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  values.sort((a, b) => a - b);
  const rank = Math.min(values.length - 1, Math.max(0, Math.ceil((p / 100) * values.length) - 1));
  return values[rank] as number;
}

export function round(value: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

// Linux exposes CPU time in clock ticks of 1/100 s (USER_HZ) in /proc. Elsewhere these helpers
// return undefined and the figures they feed are simply left out of the details.
const TICK_S = 0.01;

/** CPU seconds a process (all its threads) has used so far, user + system. */
export function processCpuSeconds(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may contain spaces) start after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * TICK_S; // utime, stime
  } catch {
    return undefined;
  }
}

/** Whole-machine CPU counters (all cores), to tell how busy the box was during a phase. */
function machineTicks(): { busy: number; total: number } | undefined {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
    const [, ...values] = line.trim().split(/\s+/);
    const n = values.slice(0, 8).map(Number); // user nice system idle iowait irq softirq steal
    const total = n.reduce((a, b) => a + b, 0);
    return { busy: total - (n[3] ?? 0) - (n[4] ?? 0), total };
  } catch {
    return undefined;
  }
}

export interface CpuWatch {
  /** Fraction of all cores busy since start (any process, including other users'), 0..1. */
  machineBusy(): number | undefined;
  /** CPU seconds the watched processes used since start. */
  processSeconds(pid: number): number | undefined;
}

/** Starts watching: CPU counters of the machine and of the given processes. */
export function watchCpu(pids: number[]): CpuWatch {
  const machine0 = machineTicks();
  const proc0 = new Map(pids.map((pid) => [pid, processCpuSeconds(pid)]));
  return {
    machineBusy() {
      const machine1 = machineTicks();
      if (!machine0 || !machine1 || machine1.total === machine0.total) return undefined;
      return round((machine1.busy - machine0.busy) / (machine1.total - machine0.total), 3);
    },
    processSeconds(pid) {
      const before = proc0.get(pid);
      const after = processCpuSeconds(pid);
      return before === undefined || after === undefined ? undefined : after - before;
    },
  };
}

/**
 * CPU seconds of a process tree one level deep: the process, its live children and the children
 * it has already reaped (cutime/cstime). For PostgreSQL's postmaster that is the whole server:
 * every backend, also those of connections that have closed, and the background processes.
 */
export function processTreeCpuSeconds(pid: number): number | undefined {
  const fieldsOf = (p: number | string): string[] | undefined => {
    try {
      const stat = readFileSync(`/proc/${p}/stat`, 'utf8');
      return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    } catch {
      return undefined;
    }
  };
  const own = fieldsOf(pid);
  if (!own) return undefined;
  // utime stime cutime cstime
  let ticks = Number(own[11]) + Number(own[12]) + Number(own[13]) + Number(own[14]);
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const fields = fieldsOf(entry);
    if (fields && Number(fields[1]) === pid) ticks += Number(fields[11]) + Number(fields[12]);
  }
  return ticks * TICK_S;
}
