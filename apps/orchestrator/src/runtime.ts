import { buildDirectory, type KeycloakGroup, type KeycloakUser } from '@afenda/contracts';
import {
  assertUnprivilegedRole,
  createDatabase,
  directoryIsEmpty,
  migrate,
  reconcileDirectory,
  startEmbeddedPostgres,
  type AppRoleCredentials,
  type Database,
  type EmbeddedPostgres,
} from '@afenda/db';
import { Redis } from 'ioredis';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import type { Logger } from 'pino';
import type { Config } from './config.ts';
import { MemoryStore, RedisStore, type RateLimitStore } from './lib/rate-limit-store.ts';
import { SecretBox } from './lib/secrets.ts';

export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const REALM_EXPORT = fileURLToPath(
  new URL('../../../deploy/keycloak/realm-afenda.json', import.meta.url),
);

/** The long-lived parts the app runs on, started in order and closed in reverse. */
export interface Runtime {
  database: Database;
  secrets: SecretBox;
  rateLimitStore: RateLimitStore;
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

export async function seedDemoData(database: Database, logger: Logger): Promise<void> {
  const realm = JSON.parse(await readFile(REALM_EXPORT, 'utf8')) as {
    groups: KeycloakGroup[];
    users: KeycloakUser[];
  };
  const result = await reconcileDirectory(database, buildDirectory(realm.groups, realm.users));
  logger.info({ ...result }, 'demo data loaded from the realm export');
}

async function settingsKey(config: Config, logger: Logger): Promise<string> {
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
    const seed = config.NODE_ENV !== 'production' && (config.SEED_DEMO_DATA ?? config.embedded);
    if (seed) {
      if (await directoryIsEmpty(database)) await seedDemoData(database, logger);
    }
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

  const secrets = new SecretBox(await settingsKey(config, logger));
  return {
    database,
    secrets,
    rateLimitStore,
    redis,
    embedded,
    databaseUrl: appUrl,
    async close() {
      await rateLimitStore.close();
      await redis?.quit().catch(() => undefined);
      await database.close();
      await embedded?.stop();
    },
  };
}
