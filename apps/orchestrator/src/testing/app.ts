import type { Database } from '@afenda/db';
import type { FastifyInstance } from 'fastify';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { buildApp, type AppDeps } from '../app.ts';
import type { ServerModule } from '@afenda/platform/module';
import { composeOrchestrator, loadSettings, type Orchestrator } from '../compose.ts';
import { SecretBox } from '@afenda/platform/secrets';

/** A fixed settings key for tests (module secrets sealed with it are test data). */
export const TEST_SETTINGS_KEY = Buffer.alloc(32, 7).toString('base64');
import { RealmFileSource } from '../domain/identity/directory-source.ts';
import { DirectorySync } from '../domain/identity/sync.ts';
import { MemoryStore, type RateLimitStore } from '../lib/rate-limit-store.ts';
import { createLogger } from '../logger.ts';

export const REALM_FILE = fileURLToPath(
  new URL('../../../../deploy/keycloak/realm-afenda.json', import.meta.url),
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
  /** The test database's application URL: with it, the job queue and its workers run. */
  databaseUrl?: string;
  /** Calls into the tools go here (a local test double at the network boundary). */
  fetch?: typeof fetch;
  /** The modules to run (default: every module the orchestrator lists). */
  modules?: ServerModule[];
}

/** The real app, wired as server.ts wires it, on a test database; requests go through inject(). */
export async function buildTestApp(
  options: TestAppOptions,
): Promise<{ app: FastifyInstance; logs: LogCapture; orchestrator: Orchestrator }> {
  const logs = new LogCapture();
  const settings = loadSettings(
    {
      NODE_ENV: 'test',
      DATABASE_URL: 'postgres://unused@127.0.0.1/unused',
      LOG_LEVEL: 'info',
      ...options.env,
    },
    options.modules,
  );
  const { config } = settings;
  const logger = createLogger(config.LOG_LEVEL, logs);
  const secrets = new SecretBox(TEST_SETTINGS_KEY);
  const orchestrator = await composeOrchestrator({
    settings,
    database: options.database,
    secrets,
    logger,
    databaseUrl: options.databaseUrl ?? 'postgres://unused@127.0.0.1/unused',
    fetch: options.fetch,
    modules: options.modules,
    // The modules hear of directory changes as in server.ts; the schedule stays off in tests.
    directory: options.auth ? { sync: options.auth.sync, scheduled: false } : undefined,
  });
  if (options.databaseUrl) await orchestrator.start();
  const app = await buildApp({
    config,
    database: options.database,
    logger,
    secrets,
    orchestrator,
    moduleSettings: settings.modules,
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
  app.addHook('onClose', () => orchestrator.stop());
  await app.ready();
  return { app, logs, orchestrator };
}
