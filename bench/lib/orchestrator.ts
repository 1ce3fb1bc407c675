/**
 * The orchestrator as the benchmarks run it: its production entry point
 * (apps/orchestrator/src/server.ts, `node --import tsx`, as `npm start` does) in a child process,
 * with an environment nothing from the caller's shell leaks into.
 */
import { settingsSchema } from '@afenda/orchestrator/config';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startChildServer, type ChildServer } from './child.ts';

const SERVER_TS = fileURLToPath(import.meta.resolve('@afenda/orchestrator/server'));

/**
 * The orchestrator's environment: none of its variables leak in from the caller's shell; the
 * bench sets what it needs, and BENCH_APP_<NAME>=value sets or overrides <NAME>
 * (e.g. BENCH_APP_LOG_LEVEL=info, BENCH_APP_NODE_ENV=development). `settings` is what was used,
 * secrets shown as `[set]`.
 */
export function orchestratorEnv(defaults: Record<string, string>): {
  env: Record<string, string | undefined>;
  settings: Record<string, string>;
} {
  const env: Record<string, string | undefined> = { ...process.env };
  for (const key of Object.keys(settingsSchema.shape)) delete env[key];
  const settings = { ...defaults };
  for (const [key, value] of Object.entries(process.env)) {
    if (key.startsWith('BENCH_APP_') && value !== undefined) settings[key.slice(10)] = value;
  }
  const shown = Object.fromEntries(
    Object.entries(settings).map(([k, v]) => [
      k,
      /(^|_)(URL|KEY|SECRET|PASSWORD)($|_)/.test(k) ? '[set]' : v,
    ]),
  );
  return { env: { ...env, ...settings }, settings: shown };
}

/** Starts server.ts with `env` on `port` and waits until `readyPath` answers 200. */
export function startOrchestrator(
  env: Record<string, string | undefined>,
  port: number,
  readyPath: string,
): Promise<ChildServer> {
  return startChildServer({
    script: SERVER_TS,
    cwd: path.dirname(path.dirname(SERVER_TS)),
    env,
    port,
    readyPath,
  });
}
