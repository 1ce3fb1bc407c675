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

export function assert(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(message);
}

export function assertEqual<T>(actual: T, expected: T, what: string): void {
  if (JSON.stringify(actual) !== JSON.stringify(expected)) {
    throw new Error(`${what}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
  }
}
