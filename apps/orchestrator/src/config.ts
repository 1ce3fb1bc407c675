import { ASYMMETRIC_JWS_ALGORITHMS } from '@afenda/contracts';
import { createPrivateKey } from 'node:crypto';
import { z } from 'zod';

/**
 * Every setting the orchestrator reads, validated at start. `.env.example` documents each one;
 * a test keeps the two in step. Nothing else reads process.env.
 */
const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'], { error: 'must be true or false' })
  .transform((v) => v === 'true' || v === '1' || v === 'yes');
const int = (min: number, max: number) =>
  z
    .string()
    .regex(/^\d+$/, { error: `must be a whole number between ${min} and ${max}` })
    .transform(Number)
    .pipe(
      z
        .number()
        .int()
        .min(min, { error: `must be at least ${min}` })
        .max(max, { error: `must be at most ${max}` }),
    );
const postgresUrl = z
  .string()
  .refine((v) => /^postgres(ql)?:\/\/[^\s]+$/.test(v) && URL.canParse(v), {
    error: 'must be a postgres:// URL',
  });
const httpOrigin = z
  .string()
  .refine((v) => URL.canParse(v) && /^https?:$/.test(new URL(v).protocol), {
    error: 'must be an http(s) URL',
  });

/** A PEM RSA private key, as an environment variable may carry it (\\n for line breaks). */
function isRsaPrivateKey(value: string): boolean {
  try {
    return createPrivateKey(value.replaceAll('\\n', '\n')).asymmetricKeyType === 'rsa';
  } catch {
    return false;
  }
}

export const settingsSchema = z.object({
  NODE_ENV: z
    .enum(['production', 'development', 'test'], {
      error: 'must be production, development or test',
    })
    .default('development'),
  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: int(0, 65535).default(8000),
  PUBLIC_URL: httpOrigin.default('http://localhost:8000'),
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
  OIDC_CLOCK_TOLERANCE_S: int(0, 300).default(10),
  JWKS_REFETCH_COOLDOWN_S: int(1, 3600).default(30),
  DEV_IDP_PUBLIC_URL: httpOrigin.default('http://localhost:8080'),
  REALM_EXPORT_FILE: z.string().min(1).default('deploy/keycloak/realm-afenda.json'),
  KEYCLOAK_ADMIN_CLIENT_ID: z.string().min(1).default('afenda-orchestrator'),
  KEYCLOAK_ADMIN_CLIENT_SECRET: z.string().min(1).optional(),
  KEYCLOAK_SYNC_INTERVAL_S: int(0, 86_400).default(300),
  KEYCLOAK_WEBHOOK_SECRET: z
    .string()
    .min(16, { error: 'must be at least 16 characters' })
    .optional(),
  // Webhooks and background jobs (issue 5)
  CHATWOOT_SIGNATURE_TOLERANCE_S: int(10, 3600).default(300),
  CHATWOOT_ALLOW_UNSIGNED: bool.default(false),
  CHATWOOT_ESCALATION_LABEL: z
    .string()
    .regex(/^[a-z0-9_-]{1,64}$/, { error: 'must be a Chatwoot label (a-z, 0-9, _ and -)' })
    .default('escalate'),
  CHATWOOT_APPROVED_LABEL: z
    .string()
    .regex(/^[a-z0-9_-]{1,64}$/)
    .default('ceo-approved'),
  CHATWOOT_REJECTED_LABEL: z
    .string()
    .regex(/^[a-z0-9_-]{1,64}$/)
    .default('ceo-rejected'),
  CHATWOOT_API_TIMEOUT_MS: int(100, 60_000).default(10_000),
  MATRIX_WEBHOOK_TOKEN: z.string().min(16, { error: 'must be at least 16 characters' }).optional(),
  JOBS_ENABLED: bool.default(true),
  JOB_CONCURRENCY: int(1, 64).default(4),
  JOB_POLL_INTERVAL_MS: int(50, 60_000).default(2000),
  JOB_MAX_ATTEMPTS: int(1, 100).default(8),
  JOB_BACKOFF_BASE_MS: int(10, 3_600_000).default(2000),
  JOB_BACKOFF_MAX_MS: int(10, 86_400_000).default(600_000),
  JOB_RECOVERY_AFTER_S: int(1, 86_400).default(60),
  JOB_SWEEP_INTERVAL_S: int(1, 3600).default(15),
  JITSI_URL: httpOrigin.optional(),
  JITSI_APP_ID: z.string().min(1).optional(),
  JITSI_APP_SECRET: z.string().min(1).optional(),
  JITSI_JWT_ALGORITHM: z
    .enum(['HS256', 'RS256'], { error: 'must be HS256 or RS256' })
    .default('HS256'),
  JITSI_PRIVATE_KEY: z
    .string()
    .refine(isRsaPrivateKey, {
      error: 'must be a PEM RSA private key (PKCS#8 or PKCS#1; \\n for line breaks is accepted)',
    })
    .optional(),
  JITSI_KEY_ID: z.string().min(1).max(200).optional(),
  JITSI_AUDIENCE: z.string().min(1).optional(),
  JITSI_SUBJECT: z.string().min(1).optional(),
  JITSI_TOKEN_TTL_S: int(60, 86_400).default(900),
  ROOM_TTL_MINUTES: int(5, 1440).default(120),
  ROOM_SWEEP_INTERVAL_S: int(0, 86_400).default(60),
  WHITEBOARD_MAX_BYTES: int(64 * 1024, 50 * 1024 * 1024).default(5 * 1024 * 1024),
  WHITEBOARD_VERSION_INTERVAL_S: int(0, 86_400).default(300),
  WHITEBOARD_MAX_VERSIONS: int(1, 10_000).default(200),
  WHITEBOARD_PERSIST_INTERVAL_MS: int(100, 600_000).default(2000),
  WHITEBOARD_TICKET_TTL_S: int(5, 600).default(60),
  WHITEBOARD_TICKET_SECRET: z
    .string()
    .min(32, { error: 'must be at least 32 characters (openssl rand -base64 32)' })
    .optional(),
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
});

export type Settings = z.infer<typeof settingsSchema>;

export interface Config extends Settings {
  /** Whether the orchestrator runs its own PostgreSQL (no DATABASE_URL). */
  embedded: boolean;
  /** The issuer tokens must come from: KEYCLOAK_ISSUER, or the development provider's. */
  issuer: string;
  /** Where the directory is read from: Keycloak's Admin API, or the realm export (development). */
  directorySource: 'keycloak' | 'realm-file';
}

export class ConfigError extends Error {
  constructor(public readonly problems: { variable: string; problem: string }[]) {
    super(`Invalid configuration: ${problems.map((p) => `${p.variable} ${p.problem}`).join('; ')}`);
    this.name = 'ConfigError';
  }
}

export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  // An empty variable means "not set": the usual shell and compose behaviour.
  const present = Object.fromEntries(
    Object.keys(settingsSchema.shape)
      .map((k) => [k, env[k]])
      .filter(([, v]) => v !== undefined && v !== ''),
  );
  const parsed = settingsSchema.safeParse(present);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => {
        const variable = String(issue.path[0] ?? '(settings)');
        const got = present[variable];
        const shown =
          /URL|KEY|SECRET|PASSWORD/.test(variable) || got === undefined ? '' : ` (got "${got}")`;
        return { variable, problem: `${issue.message}${shown}` };
      }),
    );
  }
  const s = parsed.data;
  const problems: { variable: string; problem: string }[] = [];
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
  problems.push(...jitsiProblems(s));
  if (problems.length > 0) throw new ConfigError(problems);
  return {
    ...s,
    embedded: !s.DATABASE_URL,
    issuer: (
      s.KEYCLOAK_ISSUER ?? `${s.DEV_IDP_PUBLIC_URL.replace(/\/$/, '')}/realms/afenda`
    ).replace(/\/$/, ''),
    directorySource: s.KEYCLOAK_ADMIN_CLIENT_SECRET ? 'keycloak' : 'realm-file',
  };
}

/** Jitsi tokens need an app id and the key of the chosen algorithm, once a Jitsi URL is set. */
function jitsiProblems(s: Settings): { variable: string; problem: string }[] {
  if (!s.JITSI_URL) return [];
  const problems: { variable: string; problem: string }[] = [];
  if (!s.JITSI_APP_ID)
    problems.push({
      variable: 'JITSI_APP_ID',
      problem: "is required when JITSI_URL is set (prosody's app_id: the tokens' issuer)",
    });
  if (s.JITSI_JWT_ALGORITHM === 'HS256' && !s.JITSI_APP_SECRET)
    problems.push({
      variable: 'JITSI_APP_SECRET',
      problem:
        "is required when JITSI_URL is set and JITSI_JWT_ALGORITHM is HS256 (prosody's app_secret)",
    });
  // Checked only once Jitsi is on: a deployment without video may keep a placeholder.
  if (s.JITSI_JWT_ALGORITHM === 'HS256' && s.JITSI_APP_SECRET && s.JITSI_APP_SECRET.length < 32)
    problems.push({
      variable: 'JITSI_APP_SECRET',
      problem: 'must be at least 32 characters (openssl rand -hex 32)',
    });
  if (s.JITSI_JWT_ALGORITHM === 'RS256') {
    if (!s.JITSI_PRIVATE_KEY)
      problems.push({ variable: 'JITSI_PRIVATE_KEY', problem: 'is required for RS256' });
    if (!s.JITSI_KEY_ID)
      problems.push({
        variable: 'JITSI_KEY_ID',
        problem: 'is required for RS256 (prosody fetches <asap_key_server>/<sha256(kid)>.pem)',
      });
  }
  return problems;
}
