import {
  assertUnprivilegedRole,
  createDatabase,
  migrate,
  startEmbeddedPostgres,
  type AppRoleCredentials,
  type Database,
  type EmbeddedPostgres,
} from '@afenda/db';
import { Redis } from 'ioredis';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import type { Logger } from 'pino';
import { createTokenVerifier, type TokenVerifier } from './auth/verify-token.ts';
import type { Config } from './config.ts';
import {
  KeycloakAdminSource,
  RealmFileSource,
  type DirectorySource,
} from './domain/identity/directory-source.ts';
import { DirectorySync } from './domain/identity/sync.ts';
import { REPO_ROOT } from './paths.ts';
import { MemoryStore, RedisStore, type RateLimitStore } from './lib/rate-limit-store.ts';
import { SecretBox } from '@afenda/platform/secrets';

/** The long-lived parts the app runs on, started in order and closed in reverse. */
export interface Runtime {
  database: Database;
  secrets: SecretBox;
  rateLimitStore: RateLimitStore;
  auth: { verify: TokenVerifier; sync: DirectorySync };
  /** The directory is loaded at all (Keycloak, or demo data): reconciled on its schedule too. */
  directoryScheduled: boolean;
  /** Demo data is asked for (development only): modules seed theirs. */
  demo: boolean;
  redis?: Redis;
  embedded?: EmbeddedPostgres;
  databaseUrl: string;
  close(): Promise<void>;
}

function roleFromUrl(url: string): AppRoleCredentials | undefined {
  const u = new URL(url);
  return u.username && u.password
    ? { name: decodeURIComponent(u.username), password: decodeURIComponent(u.password) }
    : undefined;
}

async function runMigrations(
  adminUrl: string,
  appRole: AppRoleCredentials | undefined,
  logger: Logger,
): Promise<void> {
  const admin = new pg.Pool({ connectionString: adminUrl, max: 1 });
  try {
    const { applied } = await migrate(admin, { appRole });
    logger.info(
      { applied },
      applied.length ? `applied ${applied.length} migration(s)` : 'schema up to date',
    );
  } finally {
    await admin.end();
  }
}

export async function settingsKey(config: Config, logger: Logger): Promise<string> {
  if (config.SETTINGS_ENCRYPTION_KEY) return config.SETTINGS_ENCRYPTION_KEY;
  // Development only (production refuses to start without the variable): a key kept beside the data.
  const file = path.resolve(REPO_ROOT, config.DATA_DIR, 'settings-key');
  if (existsSync(file)) return (await readFile(file, 'utf8')).trim();
  await mkdir(path.dirname(file), { recursive: true });
  const key = SecretBox.generateKey();
  await writeFile(file, `${key}\n`, { mode: 0o600 });
  logger.warn({ file }, 'SETTINGS_ENCRYPTION_KEY is not set: generated a development key');
  return key;
}

export async function startRuntime(config: Config, logger: Logger): Promise<Runtime> {
  let embedded: EmbeddedPostgres | undefined;
  let appUrl: string;
  if (config.embedded) {
    embedded = await startEmbeddedPostgres({
      dir: path.resolve(REPO_ROOT, config.DATA_DIR, 'postgres'),
      port: config.EMBEDDED_PG_PORT,
      log: (line) => logger.info(line),
      warn: (line) => logger.error(line),
    });
    await runMigrations(embedded.adminUrl, embedded.appRole, logger);
    appUrl = embedded.appUrl;
  } else {
    appUrl = config.DATABASE_URL as string;
    if (config.DATABASE_ADMIN_URL)
      await runMigrations(config.DATABASE_ADMIN_URL, roleFromUrl(appUrl), logger);
  }

  const database = createDatabase({ url: appUrl, max: config.DATABASE_POOL_MAX });
  try {
    await assertUnprivilegedRole(database.pool);
  } catch (err) {
    await database.close();
    await embedded?.stop();
    throw err;
  }

  let redis: Redis | undefined;
  let rateLimitStore: RateLimitStore;
  if (config.REDIS_URL) {
    redis = new Redis(config.REDIS_URL, {
      maxRetriesPerRequest: 1,
      enableOfflineQueue: false,
      lazyConnect: true,
    });
    redis.on('error', (err) => logger.warn({ err: { message: err.message } }, 'redis error'));
    await redis.connect();
    rateLimitStore = new RedisStore(redis);
  } else {
    rateLimitStore = new MemoryStore();
  }

  const source: DirectorySource =
    config.directorySource === 'keycloak'
      ? new KeycloakAdminSource(
          config.issuer,
          config.KEYCLOAK_ADMIN_CLIENT_ID,
          config.KEYCLOAK_ADMIN_CLIENT_SECRET as string,
        )
      : new RealmFileSource(path.resolve(REPO_ROOT, config.REALM_EXPORT_FILE));
  const sync = new DirectorySync({ database, source, logger });
  // The realm export is demo identity: loaded on the embedded default (or when asked), never in
  // production. Keycloak is reconciled at every start, and on the schedule after that.
  const loadAtStart =
    source.name === 'keycloak' ||
    (config.NODE_ENV !== 'production' && (config.SEED_DEMO_DATA ?? config.embedded));
  if (loadAtStart) {
    const run = await sync.reconcileAll('startup');
    if (run.status === 'failed')
      logger.warn(
        { source: source.name },
        'the directory could not be read at start; retrying on schedule',
      );
  }
  const verify = createTokenVerifier({
    issuer: config.issuer,
    audience: config.OIDC_AUDIENCE,
    allowedClients: config.allowedClients,
    algorithms: config.OIDC_ALGORITHMS,
    clockToleranceSeconds: config.OIDC_CLOCK_TOLERANCE_S,
    cooldownSeconds: config.JWKS_REFETCH_COOLDOWN_S,
  });

  const secrets = new SecretBox(await settingsKey(config, logger));
  return {
    database,
    secrets,
    rateLimitStore,
    auth: { verify, sync },
    directoryScheduled: loadAtStart,
    demo: config.NODE_ENV !== 'production' && (config.SEED_DEMO_DATA ?? config.embedded),
    redis,
    embedded,
    databaseUrl: appUrl,
    async close() {
      await sync.stop();
      await rateLimitStore.close();
      await redis?.quit().catch(() => undefined);
      await database.close();
      await embedded?.stop();
    },
  };
}
