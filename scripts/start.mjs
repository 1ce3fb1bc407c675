#!/usr/bin/env node
// `npm start`: the whole product on the embedded default. Starts the orchestrator (embedded
// PostgreSQL and demo data unless DATABASE_URL is set), builds the Shell if its sources changed
// (Turborepo caches the build), starts it, and prints both URLs. Ctrl-C stops everything.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { formatLine, prettyLogs } from './lib/log-lines.mjs';

// A .env at the root is honoured, without overriding the real environment.
if (existsSync('.env')) {
  for (const line of readFileSync('.env', 'utf8').split('\n')) {
    const m = /^\s*([A-Z][A-Z0-9_]*)\s*=\s*(.*?)\s*$/.exec(line);
    if (m && process.env[m[1]] === undefined) process.env[m[1]] = m[2].replace(/^["']|["']$/g, '');
  }
}

const orchestratorPort = process.env.PORT || '8000';
const shellPort = process.env.SHELL_PORT || '3000';
const orchestratorUrl = process.env.ORCHESTRATOR_URL || `http://localhost:${orchestratorPort}`;
const children = new Set();
let stopping = false;
// On a terminal, one readable line per event from every process (LOG_FORMAT=json: as they are).
const pretty = prettyLogs();

/** A child's stdout and stderr, each line through the formatter, to ours. */
function relay(child, name) {
  for (const [stream, out] of [
    [child.stdout, process.stdout],
    [child.stderr, process.stderr],
  ]) {
    createInterface({ input: stream, crlfDelay: Infinity }).on('line', (line) => {
      const text = formatLine(line, name, { color: out.isTTY });
      if (text !== null) out.write(`${text}\n`);
    });
  }
}

function run(name, command, args, env = {}) {
  // Each child leads its own process group, so stopping it stops what it started too (npx
  // starts next-server as a grandchild, which a signal to npx alone would leave running).
  const child = spawn(command, args, {
    stdio: ['ignore', pretty ? 'pipe' : 'inherit', pretty ? 'pipe' : 'inherit'],
    env: { ...process.env, ...env },
    detached: true,
  });
  if (pretty) relay(child, name);
  children.add(child);
  child.on('exit', (code, signal) => {
    children.delete(child);
    if (!stopping && name !== 'build') {
      console.error(`\n${name} exited (${signal ?? code}); stopping.`);
      stop(code || 1);
    }
  });
  return child;
}

function stop(code = 0) {
  if (stopping) return;
  stopping = true;
  for (const child of children) {
    try {
      process.kill(-child.pid, 'SIGTERM');
    } catch {
      child.kill('SIGTERM');
    }
  }
  const deadline = setTimeout(() => process.exit(code), 20_000);
  deadline.unref();
  const check = setInterval(() => {
    if (children.size === 0) {
      clearInterval(check);
      process.exit(code);
    }
  }, 100);
}
process.on('SIGINT', () => stop(0));
process.on('SIGTERM', () => stop(0));

async function waitReady(url, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && !stopping) {
    try {
      const res = await fetch(url);
      if (res.ok) return true;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return false;
}

// Identity: a real Keycloak when KEYCLOAK_ISSUER is set, otherwise the development OpenID
// provider (apps/dev-idp), seeded from the same realm export a real Keycloak imports.
const devIdpPort = process.env.DEV_IDP_PORT || '8080';
const devIdpUrl = process.env.DEV_IDP_PUBLIC_URL || `http://localhost:${devIdpPort}`;
const issuer = process.env.KEYCLOAK_ISSUER || `${devIdpUrl}/realms/afenda`;
if (!process.env.KEYCLOAK_ISSUER) {
  run('identity provider', process.execPath, ['--import', 'tsx', 'apps/dev-idp/src/server.ts'], {
    DEV_IDP_PORT: devIdpPort,
    DEV_IDP_PUBLIC_URL: devIdpUrl,
  });
}

run('orchestrator', process.execPath, ['--import', 'tsx', 'apps/orchestrator/src/server.ts'], {
  PORT: orchestratorPort,
});

console.log(
  'Building the Shell (cached after the first time; the first build takes a few minutes)...',
);
const buildStarted = Date.now();
const build = run(
  'build',
  'npx',
  // On a terminal Next.js's own progress shows (compiling, pages generated); otherwise errors only.
  [
    'turbo',
    'run',
    'build',
    '--filter=@afenda/shell',
    `--output-logs=${pretty ? 'new-only' : 'errors-only'}`,
  ],
  {
    NEXT_TELEMETRY_DISABLED: '1',
  },
);
// A long silence reads as a hang: say it is still building.
const ticker = setInterval(
  () =>
    console.log(
      `  ... still building the Shell (${Math.round((Date.now() - buildStarted) / 1000)} s)`,
    ),
  15_000,
);
const built = await new Promise((resolve) => build.on('exit', (code) => resolve(code === 0)));
clearInterval(ticker);
if (built) console.log(`The Shell is built (${Math.round((Date.now() - buildStarted) / 1000)} s).`);
if (stopping) {
  // already stopping: the reason was printed
} else if (!built) {
  console.error('The Shell failed to build; see the errors above.');
  stop(1);
} else {
  // Sessions live in the database the orchestrator uses (or Redis when REDIS_URL is set); on the
  // embedded default that is the embedded server, whose application role's URL is in its state.
  const orchestratorUp = await waitReady(`http://127.0.0.1:${orchestratorPort}/readyz`, 120_000);
  const shellEnv = {
    ORCHESTRATOR_URL: orchestratorUrl,
    OIDC_ISSUER: issuer,
    // next start runs in production mode, so the Shell's development defaults don't apply: the
    // development client secret is handed over only when the development provider is in use.
    OIDC_CLIENT_SECRET:
      process.env.OIDC_CLIENT_SECRET ||
      (process.env.KEYCLOAK_ISSUER
        ? ''
        : process.env.AFENDA_SHELL_CLIENT_SECRET || 'afenda-shell-dev-secret'),
    SHELL_PUBLIC_URL: process.env.SHELL_PUBLIC_URL || `http://localhost:${shellPort}`,
    NEXT_TELEMETRY_DISABLED: '1',
  };
  if (!process.env.DATABASE_URL && orchestratorUp) {
    const dataDir = path.resolve(process.env.DATA_DIR || '.data');
    const state = JSON.parse(readFileSync(path.join(dataDir, 'postgres', 'state.json'), 'utf8'));
    shellEnv.DATABASE_URL = `postgres://afenda_app:${encodeURIComponent(state.appPassword)}@127.0.0.1:${state.port}/postgres`;
  }
  run('shell', 'npx', ['next', 'start', 'apps/shell', '--port', shellPort], shellEnv);
  const [orchestratorReady, shellReady, identityReady] = await Promise.all([
    waitReady(`http://127.0.0.1:${orchestratorPort}/readyz`, 120_000),
    waitReady(`http://127.0.0.1:${shellPort}/`, 120_000),
    waitReady(`${issuer}/.well-known/openid-configuration`, 120_000),
  ]);
  if (!stopping) {
    if (orchestratorReady && shellReady && identityReady) {
      console.log(`
  Axis Afenda is running (embedded default${process.env.DATABASE_URL ? ', external database' : ', demo data loaded'}).

    Shell          http://localhost:${shellPort}
    Orchestrator   ${orchestratorUrl}   (API reference: ${orchestratorUrl}/api/v1/docs)
    Identity       ${issuer}${process.env.KEYCLOAK_ISSUER ? '' : '   (development provider; demo users in the README)'}

  Press Ctrl-C to stop.
`);
    } else {
      console.error(
        `Not ready in time: orchestrator ${orchestratorReady ? 'ready' : 'not ready'}, shell ${shellReady ? 'ready' : 'not ready'}, identity ${identityReady ? 'ready' : 'not ready'} (${issuer}).`,
      );
      stop(1);
    }
  }
}
