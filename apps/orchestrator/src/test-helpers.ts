import type { Database } from '@afenda/db';
import type { FastifyInstance } from 'fastify';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { buildApp, type AppDeps } from './app.ts';
import { RealmFileSource } from './domain/identity/directory-source.ts';
import { DirectorySync } from './domain/identity/sync.ts';
import { loadConfig } from './config.ts';
import { loadModules } from './lib/modules.ts';
import { MemoryStore, type RateLimitStore } from './lib/rate-limit-store.ts';
import { createLogger } from './logger.ts';

export const REALM_FILE = fileURLToPath(
  new URL('../../../deploy/keycloak/realm-afenda.json', import.meta.url),
);

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
  auth?: AppDeps['auth'];
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
    auth: options.auth ?? {
      verify: async () => {
        throw new Error('no token verifier in this test');
      },
      sync: new DirectorySync({
        database: options.database,
        source: new RealmFileSource(REALM_FILE),
        logger: createLogger('silent'),
      }),
    },
  });
  await app.ready();
  return { app, logs };
}
