import { ASYMMETRIC_JWS_ALGORITHMS } from '@afenda/contracts';
import {
  bool,
  ConfigError,
  httpOrigin,
  int,
  parseSettings,
  schedule,
  type SettingProblem,
} from '@afenda/platform/settings';
import { z } from 'zod';

/**
 * The kernel's settings, validated at start; each module owns its own slice (modules/<tool>/
 * server/settings.ts) and the loader validates them together. `.env.example` documents each
 * one; a test keeps the two in step. Nothing else reads process.env.
 */
const postgresUrl = z
  .string()
  .refine((v) => /^postgres(ql)?:\/\/[^\s]+$/.test(v) && URL.canParse(v), {
    error: 'must be a postgres:// URL',
  });
export const settingsSchema = z.object({
  NODE_ENV: z
    .enum(['production', 'development', 'test'], {
      error: 'must be production, development or test',
    })
    .default('development'),
  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: int(0, 65535).default(8000),
  PUBLIC_URL: httpOrigin.default('http://localhost:8000'),
  /** The public client the API reference (/api/v1/docs) signs in with; '' to type one in. */
  OPENAPI_DOCS_CLIENT_ID: z.string().max(200).default('afenda-api-docs'),
  LOG_LEVEL: z
    .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], {
      error: 'must be one of fatal, error, warn, info, debug, trace, silent',
    })
    .default('info'),
  DATABASE_URL: postgresUrl.optional(),
  DATABASE_ADMIN_URL: postgresUrl.optional(),
  DATABASE_POOL_MAX: int(1, 500).default(10),
  DATA_DIR: z.string().min(1).default('.data'),
  EMBEDDED_PG_PORT: int(0, 65535).default(0),
  SEED_DEMO_DATA: bool.optional(),
  REDIS_URL: z
    .string()
    .refine((v) => /^rediss?:\/\//.test(v) && URL.canParse(v), {
      error: 'must be a redis:// or rediss:// URL',
    })
    .optional(),
  CORS_ORIGINS: z
    .string()
    .default('http://localhost:3000,http://127.0.0.1:3000')
    .transform((v) =>
      v
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    )
    .pipe(z.array(httpOrigin)),
  TRUST_PROXY: bool.default(false),
  SETTINGS_ENCRYPTION_KEY: z
    .string()
    .refine((v) => Buffer.from(v, 'base64').length === 32, {
      error: 'must be 32 bytes, base64-encoded (openssl rand -base64 32)',
    })
    .optional(),
  API_BODY_LIMIT_BYTES: int(1024, 100 * 1024 * 1024).default(256 * 1024),
  WEBHOOK_BODY_LIMIT_BYTES: int(1024, 100 * 1024 * 1024).default(1024 * 1024),
  WEBHOOK_UNMAPPED_MAX_PER_ACCOUNT: int(0, 1_000_000).default(100),
  WEBHOOK_UNMAPPED_MAX_TOTAL: int(0, 10_000_000).default(1000),
  RATE_LIMIT_WINDOW_MS: int(1000, 3_600_000).default(60_000),
  RATE_LIMIT_READS: int(1, 1_000_000).default(600),
  RATE_LIMIT_WRITES: int(1, 1_000_000).default(120),
  RATE_LIMIT_WEBHOOKS: int(1, 1_000_000).default(3000),
  RATE_LIMIT_LOGIN: int(1, 1_000_000).default(20),
  RATE_LIMIT_TENANT_FACTOR: int(1, 10_000).default(10),
  SHUTDOWN_TIMEOUT_MS: int(100, 600_000).default(15_000),
  KEYCLOAK_ISSUER: httpOrigin.optional(),
  OIDC_AUDIENCE: z.string().min(1).default('afenda-orchestrator'),
  OIDC_ALGORITHMS: z
    .string()
    .default('RS256')
    .transform((v) =>
      v
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    )
    .pipe(
      z
        .array(
          z.enum(ASYMMETRIC_JWS_ALGORITHMS, {
            error: 'must list asymmetric JWS algorithms only (e.g. RS256,ES256)',
          }),
        )
        .min(1),
    ),
  OIDC_ALLOWED_CLIENTS: z
    .string()
    .optional()
    .transform((v) =>
      v === undefined
        ? undefined
        : v
            .split(',')
            .map((s) => s.trim())
            .filter(Boolean),
    )
    .pipe(z.array(z.string().min(1)).min(1, { error: 'must name at least one client' }).optional()),
  OIDC_CLOCK_TOLERANCE_S: int(0, 300).default(10),
  JWKS_REFETCH_COOLDOWN_S: int(1, 3600).default(30),
  DEV_IDP_PUBLIC_URL: httpOrigin.default('http://localhost:8080'),
  REALM_EXPORT_FILE: z.string().min(1).default('deploy/keycloak/realm-afenda.json'),
  KEYCLOAK_ADMIN_CLIENT_ID: z.string().min(1).default('afenda-orchestrator'),
  KEYCLOAK_ADMIN_CLIENT_SECRET: z.string().min(1).optional(),
  KEYCLOAK_SYNC_SCHEDULE: schedule('*/5 * * * *'),
  /** Every connected tool's access reconciled with the directory, besides each change (crontab or off). */
  ACCESS_SYNC_SCHEDULE: schedule('*/15 * * * *'),
  KEYCLOAK_WEBHOOK_SECRET: z
    .string()
    .min(16, { error: 'must be at least 16 characters' })
    .optional(),
  /**
   * compiled: responses written by a serializer compiled from each route's schema, not validated
   * per response (the default in production); validating: checked against the schema each time
   * (the default elsewhere, so tests catch a response that drifts from its contract).
   */
  API_RESPONSE_SERIALIZER: z
    .enum(['compiled', 'validating'], { error: 'must be compiled or validating' })
    .optional(),
  JOBS_ENABLED: bool.default(true),
  JOB_CONCURRENCY: int(1, 64).default(4),
  JOB_POLL_INTERVAL_MS: int(50, 60_000).default(2000),
  JOB_MAX_ATTEMPTS: int(1, 100).default(8),
  JOB_BACKOFF_BASE_MS: int(10, 3_600_000).default(2000),
  JOB_BACKOFF_MAX_MS: int(10, 86_400_000).default(600_000),
  JOB_RECOVERY_AFTER_S: int(1, 86_400).default(60),
  JOB_SWEEP_SCHEDULE: schedule('* * * * *'),
  STREAM_ENABLED: bool.default(true),
  STREAM_FANOUT: z
    .enum(['auto', 'postgres', 'redis'], { error: 'must be auto, postgres or redis' })
    .default('auto'),
  STREAM_NOTIFY_INTERVAL_MS: int(1, 1000).default(20),
  STREAM_POLL_INTERVAL_MS: int(100, 60_000).default(2000),
  STREAM_HEARTBEAT_S: int(1, 300).default(15),
  STREAM_RETRY_MS: int(100, 60_000).default(2000),
  STREAM_MAX_BUFFER_BYTES: int(1024, 64 * 1024 * 1024).default(256 * 1024),
  STREAM_MAX_CONNECTIONS: int(1, 1_000_000).default(20_000),
  STREAM_RETENTION_S: int(60, 30 * 86_400).default(86_400),
  STREAM_EXPIRY_SCHEDULE: schedule('*/10 * * * *'),
  /** Retention (docs/operations.md): how long what only grows is kept, and when it is purged. */
  RETENTION_SCHEDULE: schedule('17 * * * *'),
  WEBHOOK_BODY_RETENTION_DAYS: int(1, 3650).default(14),
  WEBHOOK_RETENTION_DAYS: int(2, 3650).default(90),
  OUTBOUND_RETENTION_DAYS: int(1, 3650).default(90),
});

export type Settings = z.infer<typeof settingsSchema>;

/** The realm's clients that call the API (deploy/keycloak/realm-afenda.json). */
export const PRODUCTION_CLIENTS = ['afenda-shell', 'afenda-api-docs'];
/** ...and, outside production, the realm export's test client (password grant, for tests). */
export const DEVELOPMENT_CLIENTS = ['afenda-shell', 'afenda-api-docs', 'afenda-test'];

export interface Config extends Settings {
  /** Whether the orchestrator runs its own PostgreSQL (no DATABASE_URL). */
  embedded: boolean;
  /** The issuer tokens must come from: KEYCLOAK_ISSUER, or the development provider's. */
  issuer: string;
  /**
   * The clients (`azp`) whose access tokens the API accepts: OIDC_ALLOWED_CLIENTS, or the realm's
   * clients that call it (the Shell; outside production also the test client, which the realm
   * export carries for tests and must be deleted from a production realm, deploy/README.md).
   */
  allowedClients: string[];
  /** Where the directory is read from: Keycloak's Admin API, or the realm export (development). */
  directorySource: 'keycloak' | 'realm-file';
}

export { ConfigError };

export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const parsed = parseSettings(settingsSchema, env);
  if (!parsed.data) throw new ConfigError(parsed.problems);
  const s = parsed.data;
  const problems: SettingProblem[] = [];
  if (s.NODE_ENV === 'production') {
    if (!s.DATABASE_URL)
      problems.push({
        variable: 'DATABASE_URL',
        problem: 'is required in production (the embedded database is for development)',
      });
    if (!s.SETTINGS_ENCRYPTION_KEY)
      problems.push({ variable: 'SETTINGS_ENCRYPTION_KEY', problem: 'is required in production' });
    if (s.SEED_DEMO_DATA)
      problems.push({ variable: 'SEED_DEMO_DATA', problem: 'cannot be true in production' });
  }
  if (s.NODE_ENV === 'production' && !s.KEYCLOAK_ISSUER) {
    problems.push({
      variable: 'KEYCLOAK_ISSUER',
      problem: 'is required in production (the development identity provider refuses to run there)',
    });
  }
  if (s.NODE_ENV === 'production' && !s.KEYCLOAK_ADMIN_CLIENT_SECRET) {
    problems.push({
      variable: 'KEYCLOAK_ADMIN_CLIENT_SECRET',
      problem: 'is required in production (the directory is read from Keycloak)',
    });
  }
  if (s.KEYCLOAK_ADMIN_CLIENT_SECRET && !s.KEYCLOAK_ISSUER) {
    problems.push({
      variable: 'KEYCLOAK_ISSUER',
      problem: 'is required when KEYCLOAK_ADMIN_CLIENT_SECRET is set',
    });
  }
  if (s.KEYCLOAK_ISSUER && !/\/realms\/[^/]+\/?$/.test(s.KEYCLOAK_ISSUER)) {
    problems.push({
      variable: 'KEYCLOAK_ISSUER',
      problem: 'must look like https://keycloak.example/realms/<realm>',
    });
  }
  if (s.STREAM_FANOUT === 'redis' && !s.REDIS_URL) {
    problems.push({ variable: 'REDIS_URL', problem: 'is required when STREAM_FANOUT=redis' });
  }
  if (s.DATABASE_ADMIN_URL && !s.DATABASE_URL) {
    problems.push({
      variable: 'DATABASE_URL',
      problem: 'is required when DATABASE_ADMIN_URL is set',
    });
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return {
    ...s,
    embedded: !s.DATABASE_URL,
    issuer: (
      s.KEYCLOAK_ISSUER ?? `${s.DEV_IDP_PUBLIC_URL.replace(/\/$/, '')}/realms/afenda`
    ).replace(/\/$/, ''),
    directorySource: s.KEYCLOAK_ADMIN_CLIENT_SECRET ? 'keycloak' : 'realm-file',
    allowedClients:
      s.OIDC_ALLOWED_CLIENTS ??
      (s.NODE_ENV === 'production' ? PRODUCTION_CLIENTS : DEVELOPMENT_CLIENTS),
  };
}
