import { cspViolationCount, describeViolation, takeCspViolations } from './csp.ts';
import { allProcs } from './processes.ts';

/**
 * The e2e scripts' report: named checks that time themselves and never stop the run, progress
 * lines on stdout, and "N passed, N failed" at the end.
 */
export const log = (line: string) => process.stdout.write(`${line}\n`);

export interface CheckResult {
  name: string;
  ok: boolean;
  ms: number;
  error?: string;
}

export const results: CheckResult[] = [];

export async function check(name: string, fn: () => Promise<void>): Promise<boolean> {
  const t0 = performance.now();
  try {
    await fn();
    // Any page's violation since the last check (setup's sign-ins included) fails this one.
    const violations = await takeCspViolations();
    if (violations.length)
      throw new Error(
        `${violations.length} Content-Security-Policy violation(s):\n${violations.map(describeViolation).join('\n')}`,
      );
    const ms = Math.round(performance.now() - t0);
    results.push({ name, ok: true, ms });
    log(`  ok    ${name} (${ms} ms)`);
    return true;
  } catch (err) {
    const ms = Math.round(performance.now() - t0);
    const error =
      err instanceof Error ? err.message.split('\n').slice(0, 6).join('\n') : String(err);
    results.push({ name, ok: false, ms, error });
    log(`  FAIL  ${name} (${ms} ms)\n        ${error.replace(/\n/g, '\n        ')}`);
    return false;
  }
}

/** Polls `ready` every 100 ms until it holds, failing after `timeoutMs` with what was awaited. */
export async function waitUntil(
  ready: () => Promise<boolean>,
  what: string,
  timeoutMs = 15_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await ready())) {
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export function assert(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(message);
}

export function assertEqual<T>(actual: T, expected: T, what: string): void {
  if (JSON.stringify(actual) !== JSON.stringify(expected)) {
    throw new Error(`${what}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
  }
}

/** A setup that failed: the reason and what each process said last; counted as a failed check. */
export function setupFailed(err: unknown): void {
  console.error(`e2e: setup failed: ${err instanceof Error ? err.message : String(err)}`);
  for (const proc of allProcs())
    console.error(`--- ${proc.name} (last lines)\n${proc.output.slice(-10).join('\n')}`);
  results.push({ name: 'setup', ok: false, ms: 0, error: String(err) });
}

/**
 * The report's end: each process's last output when something failed, the timings and notes,
 * where the screenshots are, "N passed, N failed"; exits 0 only when every check passed.
 */
export async function finish(options: {
  startedAt: number;
  screenshots: string;
  timings?: Record<string, number>;
  notes?: string[];
}): Promise<never> {
  const late = await takeCspViolations();
  if (late.length)
    results.push({
      name: 'no Content-Security-Policy violation after the last check',
      ok: false,
      ms: 0,
      error: late.map(describeViolation).join('\n'),
    });
  const passed = results.filter((r) => r.ok).length;
  const failed = results.length - passed;
  if (failed > 0) {
    for (const proc of allProcs())
      log(`--- ${proc.name} output (last 20 lines)\n${proc.output.slice(-20).join('\n')}`);
  }
  const timings = {
    ...options.timings,
    totalMs: Math.round(performance.now() - options.startedAt),
  };
  log(
    `\ntimings: ${Object.entries(timings)
      .map(([k, v]) => `${k}=${v}`)
      .join(' ')}`,
  );
  for (const note of options.notes ?? []) log(note);
  log(`screenshots: ${options.screenshots}`);
  log(`CSP violations: ${cspViolationCount()}`);
  log(`${passed} passed, ${failed} failed`);
  process.exit(failed === 0 ? 0 : 1);
}
