/**
 * The orchestrator as the benchmarks run it: its production entry point
 * (apps/orchestrator/src/server.ts, `node --import tsx`, as `npm start` does) in a child process,
 * with the environment `orchestratorEnv` (lib/orchestrator-env.ts) builds.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startChildServer, type ChildServer } from './child.ts';

const SERVER_TS = fileURLToPath(import.meta.resolve('@afenda/orchestrator/server'));

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
