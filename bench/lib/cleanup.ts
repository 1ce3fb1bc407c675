/**
 * Teardown that happens whatever goes wrong: each benchmark defers the undoing of what it
 * started (child servers, the embedded PostgreSQL, temporary folders) and `scope` runs the
 * deferred steps in reverse order on the way out. On SIGINT/SIGTERM `run.ts` calls
 * `cleanupAll()` so an interrupted run does not leave a postgres or a temp folder behind; a
 * scope that is already unwinding is waited for, never unwound twice.
 */
type Step = { label: string; fn: () => Promise<void> | void };
interface Scope {
  steps: Step[];
  unwinding?: Promise<void>;
}

const open = new Set<Scope>();

export type Defer = (label: string, fn: () => Promise<void> | void) => void;

function unwind(scope: Scope): Promise<void> {
  scope.unwinding ??= (async () => {
    while (scope.steps.length > 0) {
      const step = scope.steps.pop() as Step;
      try {
        await step.fn();
      } catch (err) {
        console.error(`bench: cleanup "${step.label}" failed: ${(err as Error).message}`);
      }
    }
    open.delete(scope);
  })();
  return scope.unwinding;
}

export async function scope<T>(fn: (defer: Defer) => Promise<T>): Promise<T> {
  const s: Scope = { steps: [] };
  open.add(s);
  try {
    return await fn((label, step) => void s.steps.push({ label, fn: step }));
  } finally {
    await unwind(s);
  }
}

export async function cleanupAll(): Promise<void> {
  await Promise.all([...open].map(unwind));
}
