import type { Database } from '@afenda/db';
import type { FastifyInstance } from 'fastify';
import { Writable } from 'node:stream';
import { buildApp, type AppDeps } from './app.ts';
import { loadConfig } from './config.ts';
import { loadModules } from './lib/modules.ts';
import { MemoryStore, type RateLimitStore } from './lib/rate-limit-store.ts';
import { createLogger } from './logger.ts';

/** Collects the JSON log lines an app writes, so tests can assert what is (not) logged. */
export class LogCapture extends Writable {
  readonly lines: Record<string, unknown>[] = [];
  readonly raw: string[] = [];
  override _write(chunk: Buffer, _enc: BufferEncoding, done: () => void): void {
    for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) {
      this.raw.push(line);
      this.lines.push(JSON.parse(line) as Record<string, unknown>);
    }
    done();
  }
}

export interface TestAppOptions {
  database: Database;
  env?: Record<string, string>;
  extraRoutes?: (app: FastifyInstance) => Promise<void> | void;
  rateLimitStore?: RateLimitStore;
  identify?: AppDeps['identify'];
}

/** The real app, wired as server.ts wires it, on a test database; requests go through inject(). */
export async function buildTestApp(
  options: TestAppOptions,
): Promise<{ app: FastifyInstance; logs: LogCapture }> {
  const logs = new LogCapture();
  const config = loadConfig({
    NODE_ENV: 'test',
    DATABASE_URL: 'postgres://unused@127.0.0.1/unused',
    LOG_LEVEL: 'info',
    ...options.env,
  });
  const app = await buildApp({
    config,
    database: options.database,
    logger: createLogger(config.LOG_LEVEL, logs),
    modules: await loadModules(),
    rateLimitStore: options.rateLimitStore ?? new MemoryStore(),
    extraRoutes: options.extraRoutes,
    identify: options.identify,
  });
  await app.ready();
  return { app, logs };
}
