/**
 * `npm start -w @afenda/dev-idp`: the development OpenID Connect provider on its own port.
 *
 *   DEV_IDP_PORT        8080
 *   DEV_IDP_HOST        127.0.0.1
 *   DEV_IDP_PUBLIC_URL  http://localhost:<port>   (the issuer is <this>/realms/afenda)
 *   DATA_DIR            .data, against the repository root (signing key: <DATA_DIR>/dev-idp/jwks.json)
 *   REALM_EXPORT_FILE   deploy/keycloak/realm-afenda.json, against the repository root
 *   RATE_LIMIT_LOGIN    20: failed password checks per username and per address in a window
 *   RATE_LIMIT_WINDOW_MS 60000: that window (the orchestrator's login budget, the same settings)
 *
 * It refuses to start with NODE_ENV=production, before loading anything else.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const NAME = 'afenda-dev-idp';

if (process.env.NODE_ENV === 'production') {
  process.stderr.write(
    `${NAME}: refusing to start with NODE_ENV=production: the development identity provider is for development only; use Keycloak (set KEYCLOAK_ISSUER) instead\n`,
  );
  process.exit(1);
}

function fail(message: string): never {
  process.stderr.write(`${NAME}: ${message}\n`);
  process.exit(1);
}

// pino's levels: the same lines as the orchestrator's, so one reader (npm start on a terminal,
// a log collector) reads both.
const LEVEL = { info: 30, warn: 40, error: 50 } as const;

function log(level: 'info' | 'warn' | 'error', fields: Record<string, unknown>, msg: string): void {
  const line = JSON.stringify({
    level: LEVEL[level],
    time: new Date().toISOString(),
    service: NAME,
    msg,
    ...fields,
  });
  (level === 'info' ? process.stdout : process.stderr).write(`${line}\n`);
}

const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const env = process.env;

const portText = env.DEV_IDP_PORT ?? '8080';
const port = Number(portText);
if (!/^\d+$/.test(portText) || port > 65_535)
  fail(`DEV_IDP_PORT must be a port number (0-65535), not "${portText}"`);
const host = env.DEV_IDP_HOST || '127.0.0.1';

let publicUrl: string | undefined =
  env.DEV_IDP_PUBLIC_URL || (port === 0 ? undefined : `http://localhost:${port}`);
if (publicUrl !== undefined) {
  let url: URL;
  try {
    url = new URL(publicUrl);
  } catch {
    fail(`DEV_IDP_PUBLIC_URL must be a URL like http://localhost:8080, not "${publicUrl}"`);
  }
  if (
    (url.protocol !== 'http:' && url.protocol !== 'https:') ||
    url.pathname !== '/' ||
    url.search ||
    url.hash
  ) {
    fail(
      `DEV_IDP_PUBLIC_URL must be an http(s) origin without a path, like http://localhost:8080, not "${publicUrl}"`,
    );
  }
  publicUrl = url.origin;
}

const whole = (name: string, fallback: number, min: number): number => {
  const text = env[name] || String(fallback);
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < min)
    fail(`${name} must be a whole number >= ${min}, not "${text}"`);
  return n;
};
const signInLimit = {
  max: whole('RATE_LIMIT_LOGIN', 20, 1),
  windowMs: whole('RATE_LIMIT_WINDOW_MS', 60_000, 1000),
};

const keysFile = path.resolve(REPO_ROOT, env.DATA_DIR || '.data', 'dev-idp', 'jwks.json');
const realmFile = path.resolve(
  REPO_ROOT,
  env.REALM_EXPORT_FILE || 'deploy/keycloak/realm-afenda.json',
);

// oidc-provider prints a notice on Node.js 20 (it is tested on 22+); the tests here run on 20.
// Keep the start to the one JSON line by passing over exactly that notice.
const warn = console.warn;
console.warn = (...args: unknown[]) => {
  if (typeof args[0] === 'string' && args[0].includes('Unsupported runtime')) return;
  warn(...args);
};
const { startDevIdp } = await import('./provider.ts').finally(() => {
  console.warn = warn;
});

const logger = {
  info: (fields: Record<string, unknown>, msg: string) => log('info', fields, msg),
  warn: (fields: Record<string, unknown>, msg: string) => log('warn', fields, msg),
  error: (fields: Record<string, unknown>, msg: string) => log('error', fields, msg),
};

let running: Awaited<ReturnType<typeof startDevIdp>>;
try {
  running = await startDevIdp({
    port,
    host,
    issuerBaseUrl: publicUrl,
    realmFile,
    keysFile,
    logger,
    signInLimit,
  });
} catch (err) {
  fail(`cannot start: ${(err as Error).message}`);
}

log(
  'info',
  {
    issuer: running.issuer,
    listen: running.url,
    keysFile,
    kid: running.signingKey.kid,
    key: running.signingKey.source,
  },
  `development identity provider ready: ${running.issuer}`,
);

let stopping = false;
const stop = (signal: string) => {
  if (stopping) return;
  stopping = true;
  const timer = setTimeout(() => process.exit(1), 5_000);
  timer.unref();
  running.close().then(
    () => process.exit(0),
    (err: unknown) => {
      log('error', { signal, err: (err as Error).message }, 'shutdown failed');
      process.exit(1);
    },
  );
};
process.once('SIGTERM', () => stop('SIGTERM'));
process.once('SIGINT', () => stop('SIGINT'));
