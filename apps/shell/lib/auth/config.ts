/**
 * The Shell's sign-in and session settings, read from the environment at run time (never at
 * build time: one build serves every environment) and validated once per process.
 *
 * Server-only: never import this from a client component.
 */
import { z } from 'zod';

export const DEV_ISSUER = 'http://localhost:8080/realms/afenda';
export const DEV_CLIENT_SECRET = 'afenda-shell-dev-secret';

export interface AuthConfig {
  production: boolean;
  /** The OpenID provider's issuer, exactly as in tokens' `iss` (no trailing slash). */
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** The Shell's origin as browsers see it, without a trailing slash, e.g. http://localhost:3000. */
  publicUrl: string;
  /** `${publicUrl}/auth/callback`: the redirect URI registered at the provider. */
  redirectUri: string;
  /** Cookies get `Secure` when the public URL is https. */
  secureCookies: boolean;
  databaseUrl: string | undefined;
  redisUrl: string | undefined;
  /** Absolute lifetime of a session, in seconds (Keycloak's SSO session max by default). */
  sessionTtlS: number;
  orchestratorUrl: string;
  /** Sign-ins (/auth/login and /auth/callback requests) per client address per window. */
  loginBudget: { limit: number; windowMs: number };
}

export interface ConfigProblem {
  variable: string;
  problem: string;
}

export class AuthConfigError extends Error {
  constructor(readonly problems: ConfigProblem[]) {
    super(
      `Invalid Shell settings: ${problems.map((p) => `${p.variable} ${p.problem}`).join('; ')}`,
    );
    this.name = 'AuthConfigError';
  }
}

/** An empty value means "not set", as in .env.example. */
const optional = (schema: z.ZodType<string>) =>
  z.preprocess(
    (v) => (typeof v === 'string' && v.trim() === '' ? undefined : v),
    schema.optional(),
  );

const httpUrl = z
  .string()
  .trim()
  .refine((v) => URL.canParse(v) && /^https?:$/.test(new URL(v).protocol), {
    message: 'must be an http(s) URL',
  });

const httpOrigin = httpUrl.refine(
  (v) => {
    const u = new URL(v);
    return u.pathname === '/' && !u.search && !u.hash && !u.username && !u.password;
  },
  { message: 'must be an origin without a path, like https://afenda.example' },
);

const urlWithScheme = (schemes: string[], example: string) =>
  z
    .string()
    .trim()
    .refine((v) => URL.canParse(v) && schemes.includes(new URL(v).protocol), {
      message: `must be a URL like ${example}`,
    });

const wholeNumber = (min: number, max: number) =>
  z
    .string()
    .trim()
    .regex(/^\d+$/, { message: 'must be a whole number' })
    .refine((v) => Number(v) >= min && Number(v) <= max, {
      message: `must be between ${min} and ${max}`,
    });

const schema = z.object({
  NODE_ENV: optional(z.string()),
  OIDC_ISSUER: optional(httpUrl),
  OIDC_CLIENT_ID: optional(z.string().trim().min(1)),
  OIDC_CLIENT_SECRET: optional(z.string().min(1)),
  SHELL_PUBLIC_URL: optional(httpOrigin),
  DATABASE_URL: optional(
    urlWithScheme(['postgres:', 'postgresql:'], 'postgres://user:password@host:5432/db'),
  ),
  REDIS_URL: optional(urlWithScheme(['redis:', 'rediss:'], 'redis://host:6379')),
  SESSION_TTL_S: optional(
    z
      .string()
      .trim()
      .regex(/^\d+$/, { message: 'must be a whole number of seconds' })
      .refine((v) => Number(v) >= 60 && Number(v) <= 30 * 24 * 3600, {
        message: 'must be between 60 and 2592000 seconds',
      }),
  ),
  ORCHESTRATOR_URL: optional(httpUrl),
  // The orchestrator's names and ranges for the same budget (apps/orchestrator/src/config.ts).
  RATE_LIMIT_LOGIN: optional(wholeNumber(1, 1_000_000)),
  RATE_LIMIT_WINDOW_MS: optional(wholeNumber(1000, 3_600_000)),
});

const trimSlash = (v: string): string => v.replace(/\/+$/, '');

/** Parse and validate the settings; throws {@link AuthConfigError} naming every bad variable. */
export function loadAuthConfig(env: Record<string, string | undefined> = process.env): AuthConfig {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    throw new AuthConfigError(
      parsed.error.issues.map((issue) => ({
        variable: String(issue.path[0] ?? 'environment'),
        problem: issue.message,
      })),
    );
  }
  const s = parsed.data;
  const production = s.NODE_ENV === 'production';
  const problems: ConfigProblem[] = [];
  if (production && !s.OIDC_ISSUER) {
    problems.push({
      variable: 'OIDC_ISSUER',
      problem:
        'is required in production (the realm issuer, e.g. https://sso.example/realms/afenda)',
    });
  }
  if (production && !s.OIDC_CLIENT_SECRET) {
    problems.push({
      variable: 'OIDC_CLIENT_SECRET',
      problem: 'is required in production (the afenda-shell client secret)',
    });
  }
  if (problems.length) throw new AuthConfigError(problems);

  const publicUrl = trimSlash(s.SHELL_PUBLIC_URL ?? 'http://localhost:3000');
  return {
    production,
    issuer: trimSlash(s.OIDC_ISSUER ?? DEV_ISSUER),
    clientId: s.OIDC_CLIENT_ID ?? 'afenda-shell',
    clientSecret: s.OIDC_CLIENT_SECRET ?? DEV_CLIENT_SECRET,
    publicUrl,
    redirectUri: `${publicUrl}/auth/callback`,
    secureCookies: publicUrl.startsWith('https:'),
    databaseUrl: s.DATABASE_URL,
    redisUrl: s.REDIS_URL,
    sessionTtlS: s.SESSION_TTL_S ? Number(s.SESSION_TTL_S) : 36_000,
    orchestratorUrl: trimSlash(s.ORCHESTRATOR_URL ?? 'http://localhost:8000'),
    loginBudget: {
      limit: s.RATE_LIMIT_LOGIN ? Number(s.RATE_LIMIT_LOGIN) : 20,
      windowMs: s.RATE_LIMIT_WINDOW_MS ? Number(s.RATE_LIMIT_WINDOW_MS) : 60_000,
    },
  };
}

const CACHE = Symbol.for('afenda.shell.authConfig');
type Global = typeof globalThis & { [CACHE]?: AuthConfig };

/** The process's settings, validated at first use. */
export function getAuthConfig(): AuthConfig {
  const g = globalThis as Global;
  g[CACHE] ??= loadAuthConfig(process.env);
  return g[CACHE];
}
