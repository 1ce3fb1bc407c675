#!/usr/bin/env node
// A real Synapse (Matrix homeserver) for tests and development, from PyPI into a virtualenv (no
// Docker, no Debian package: bookworm has none).
//
//   node scripts/synapse.mjs fetch     install matrix-synapse[oidc]==<version> into
//                                      .cache/synapse/venv-<version> (once; pip's cache is reused)
//   node scripts/synapse.mjs start     a development homeserver under .cache/synapse/dev, with the
//                                      orchestrator's application service registered (the file
//                                      `npx afenda connect matrix` writes, see docs/chat.md); waits
//                                      until ready and writes .cache/synapse/dev/state.json
//   node scripts/synapse.mjs stop      SIGTERM to the instance in state.json
//   node scripts/synapse.mjs status    prints state.json if that instance is still running
//
// Environment: SYNAPSE_VERSION (default below), SYNAPSE_PORT (8008; 0 = a free port),
// SYNAPSE_CACHE_DIR (.cache/synapse), SYNAPSE_DEV_DIR (the development homeserver's directory,
// <cache>/dev), SYNAPSE_START_TIMEOUT (seconds, 60), PYTHON (python3), SYNAPSE_APPSERVICE_FILE
// (.data/matrix/appservice-afenda.yaml) and SYNAPSE_FRAGMENT_FILE
// (.data/matrix/homeserver-fragment.yaml: its oidc_providers are used when the identity
// provider answers, so people sign in through it; see docs/chat.md, "One login").
//
// The same functions are imported by packages/test-utils/src/synapse.ts: one implementation.
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** The version every suite is tested against (docs/chat.md). */
export const DEFAULT_VERSION = '1.157.1';
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

const cacheDir = () => path.resolve(REPO_ROOT, process.env.SYNAPSE_CACHE_DIR || '.cache/synapse');
const quiet = () => {};

export function synapseVersion() {
  const v = process.env.SYNAPSE_VERSION || DEFAULT_VERSION;
  if (!/^\d+\.\d+\.\d+(rc\d+)?$/.test(v)) throw new Error(`not a Synapse version: ${v}`);
  return v;
}

const venvOf = (version) => path.join(cacheDir(), `venv-${version}`);
const pythonOf = (version) => path.join(venvOf(version), 'bin/python');

/** A directory lock (mkdir is atomic): parallel suites install once. */
async function withLock(dir, work, timeoutMs = 600_000) {
  mkdirSync(path.dirname(dir), { recursive: true });
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      mkdirSync(dir);
      break;
    } catch {
      if (Date.now() > deadline) throw new Error(`timed out waiting for the lock ${dir}`);
      await sleep(500);
    }
  }
  try {
    return await work();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function run(command, args, log) {
  const r = spawnSync(command, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.error) throw new Error(`${command} could not run: ${r.error.message}`);
  if (r.status !== 0) {
    throw new Error(
      `${command} ${args.join(' ')} failed (${r.status}):\n${(r.stderr || r.stdout).slice(-4000)}`,
    );
  }
  log(r.stdout.trim().split('\n').slice(-1)[0] ?? '');
  return r.stdout;
}

/** Installs the pinned Synapse (with its OIDC extra) into a virtualenv, once per version. */
export async function fetchSynapse({ version = synapseVersion(), log = quiet } = {}) {
  const marker = path.join(venvOf(version), '.afenda-installed');
  if (existsSync(marker)) return { version, python: pythonOf(version), fetched: false };
  return withLock(path.join(cacheDir(), '.install-lock'), async () => {
    if (existsSync(marker)) return { version, python: pythonOf(version), fetched: false };
    rmSync(venvOf(version), { recursive: true, force: true });
    log(`creating a virtualenv for Synapse ${version}`);
    run(process.env.PYTHON || 'python3', ['-m', 'venv', venvOf(version)], log);
    log(`pip install matrix-synapse[oidc]==${version}`);
    run(
      pythonOf(version),
      [
        '-m',
        'pip',
        'install',
        '--quiet',
        '--disable-pip-version-check',
        `matrix-synapse[oidc]==${version}`,
      ],
      log,
    );
    writeFileSync(marker, `${new Date().toISOString()}\n`);
    return { version, python: pythonOf(version), fetched: true };
  });
}

/** A port nothing listens on now (0 = any free one). */
export function listenablePort(port = 0) {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      const { port: chosen } = server.address();
      server.close(() => resolve(chosen));
    });
  });
}

function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export function tailFile(file, lines = 40) {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

/**
 * The homeserver.yaml of a throw-away instance (JSON is YAML): SQLite in `dir`, one HTTP
 * listener on 127.0.0.1 with the client API only, no federation, no key servers, generous rate
 * limits, the given application services and OIDC providers. `extra` is merged last.
 */
export function homeserverConfig({
  dir,
  port,
  serverName,
  sharedSecret,
  appserviceFiles = [],
  oidcProviders = [],
  extra = {},
}) {
  const many = { per_second: 1000, burst_count: 1000 };
  return {
    server_name: serverName,
    public_baseurl: `http://127.0.0.1:${port}/`,
    pid_file: path.join(dir, 'homeserver.pid'),
    listeners: [
      {
        port,
        type: 'http',
        tls: false,
        x_forwarded: false,
        bind_addresses: ['127.0.0.1'],
        resources: [{ names: ['client'], compress: false }],
      },
    ],
    database: { name: 'sqlite3', args: { database: path.join(dir, 'homeserver.db') } },
    media_store_path: path.join(dir, 'media_store'),
    signing_key_path: path.join(dir, 'signing.key'),
    registration_shared_secret: sharedSecret,
    macaroon_secret_key: randomBytes(24).toString('hex'),
    form_secret: randomBytes(24).toString('hex'),
    enable_registration: false,
    report_stats: false,
    trusted_key_servers: [],
    suppress_key_server_warning: true,
    federation_domain_whitelist: [],
    presence: { enabled: false },
    app_service_config_files: appserviceFiles,
    ...(oidcProviders.length ? { oidc_providers: oidcProviders } : {}),
    rc_message: many,
    rc_registration: many,
    rc_login: { address: many, account: many, failed_attempts: many },
    rc_joins: { local: many, remote: many },
    rc_joins_per_room: many,
    rc_invites: { per_room: many, per_user: many, per_issuer: many },
    rc_room_creation: many,
    rc_admin_redaction: many,
    ...extra,
  };
}

/**
 * Starts a homeserver in `dir` (created; removed by stop() when `ephemeral`). `appservices` are
 * registration objects (see modules/chat/server/setup.ts), written next to the config.
 */
export async function launchSynapse(options = {}) {
  const version = options.version ?? synapseVersion();
  const { python } = await fetchSynapse({ version, log: options.log ?? quiet });
  const dir = path.resolve(options.dir ?? path.join(cacheDir(), 'dev'));
  const ephemeral = options.ephemeral ?? false;
  if (ephemeral) rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const port = await listenablePort(options.port ?? 0);
  const serverName = options.serverName ?? 'afenda.test';
  const sharedSecret = options.sharedSecret ?? randomBytes(24).toString('hex');
  const appserviceFiles = (options.appservices ?? []).map((reg, i) => {
    const file = path.join(dir, `appservice-${i}.yaml`);
    writeFileSync(file, JSON.stringify(reg, null, 2));
    return file;
  });
  const config = homeserverConfig({
    dir,
    port,
    serverName,
    sharedSecret,
    appserviceFiles,
    oidcProviders: options.oidcProviders ?? [],
    extra: options.extra ?? {},
  });
  const configFile = path.join(dir, 'homeserver.yaml');
  writeFileSync(configFile, JSON.stringify(config, null, 2));
  run(python, ['-m', 'synapse.app.homeserver', '-c', configFile, '--generate-keys'], quiet);
  const logFile = path.join(dir, 'homeserver.log');
  const out = openSync(logFile, 'a');
  const started = Date.now();
  const child = spawn(python, ['-m', 'synapse.app.homeserver', '-c', configFile], {
    cwd: dir,
    stdio: ['ignore', out, out],
    detached: options.detached ?? false,
    env: { ...process.env, SYNAPSE_ASYNC_IO_REACTOR: '0' },
  });
  let exited = null;
  child.once('exit', (code, signal) => (exited = { code, signal }));
  const url = `http://127.0.0.1:${port}`;
  const timeoutMs = options.timeoutMs ?? Number(process.env.SYNAPSE_START_TIMEOUT || 60) * 1000;
  for (;;) {
    if (exited) {
      throw new Error(
        `Synapse ${version} exited (${JSON.stringify(exited)}) before it was ready:\n${tailFile(logFile)}`,
      );
    }
    const ok = await fetch(`${url}/health`)
      .then((r) => r.ok)
      .catch(() => false);
    if (ok) break;
    if (Date.now() - started > timeoutMs) {
      child.kill('SIGKILL');
      throw new Error(`Synapse was not ready in ${timeoutMs / 1000} s:\n${tailFile(logFile)}`);
    }
    await sleep(150);
  }
  const readySeconds = (Date.now() - started) / 1000;
  if (options.detached) child.unref();
  return {
    url,
    port,
    serverName,
    sharedSecret,
    version,
    dir,
    configFile,
    logFile,
    pid: child.pid,
    readySeconds,
    async stop() {
      if (!exited && alive(child.pid)) {
        child.kill('SIGTERM');
        for (let i = 0; i < 100 && !exited && alive(child.pid); i++) await sleep(100);
        if (!exited && alive(child.pid)) child.kill('SIGKILL');
      }
      if (ephemeral) rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * The fragment's OIDC providers whose issuer answers now: Synapse refuses to start when one
 * does not (it loads their metadata at start), and the development homeserver should start
 * without the product running too.
 */
async function reachableOidcProviders(fragmentFile, log) {
  if (!existsSync(fragmentFile)) return [];
  const providers = JSON.parse(readFileSync(fragmentFile, 'utf8')).oidc_providers ?? [];
  const reachable = [];
  for (const provider of providers) {
    const discovery = `${String(provider.issuer).replace(/\/+$/, '')}/.well-known/openid-configuration`;
    const ok = await fetch(discovery, { signal: AbortSignal.timeout(5000) })
      .then((r) => r.ok)
      .catch(() => false);
    if (ok) reachable.push(provider);
    else
      log(
        `${provider.issuer} does not answer: no sign-in through ${provider.idp_name} (npm start first)`,
      );
  }
  return reachable;
}

async function main(command) {
  const log = (line) => line && console.error(line);
  const devDir = path.resolve(
    REPO_ROOT,
    process.env.SYNAPSE_DEV_DIR || path.join(cacheDir(), 'dev'),
  );
  const stateFile = path.join(devDir, 'state.json');
  switch (command) {
    case 'fetch': {
      const r = await fetchSynapse({ log });
      console.log(`Synapse ${r.version}: ${r.python}${r.fetched ? ' (installed now)' : ''}`);
      return;
    }
    case 'start': {
      // The registration `npx afenda connect matrix` wrote (docs/chat.md), when there is one.
      const registration = path.resolve(
        REPO_ROOT,
        process.env.SYNAPSE_APPSERVICE_FILE || '.data/matrix/appservice-afenda.yaml',
      );
      const appservices = existsSync(registration)
        ? [JSON.parse(readFileSync(registration, 'utf8'))]
        : [];
      if (!appservices.length) log(`no application service registration at ${registration}`);
      const s = await launchSynapse({
        log,
        dir: devDir,
        oidcProviders: await reachableOidcProviders(
          path.resolve(
            REPO_ROOT,
            process.env.SYNAPSE_FRAGMENT_FILE || '.data/matrix/homeserver-fragment.yaml',
          ),
          log,
        ),
        port: Number(process.env.SYNAPSE_PORT ?? 8008),
        serverName: process.env.MATRIX_SERVER_NAME || 'afenda.test',
        appservices,
        detached: true,
      });
      writeFileSync(stateFile, JSON.stringify({ ...s, stop: undefined }, null, 2));
      console.log(s.url);
      return;
    }
    case 'stop':
    case 'status': {
      const state = existsSync(stateFile) ? JSON.parse(readFileSync(stateFile, 'utf8')) : null;
      if (!state || !alive(state.pid)) {
        console.error('no development Synapse is running');
        process.exitCode = command === 'status' ? 1 : 0;
        return;
      }
      if (command === 'status') console.log(JSON.stringify(state, null, 2));
      else process.kill(state.pid, 'SIGTERM');
      return;
    }
    default:
      console.error('usage: node scripts/synapse.mjs fetch|start|stop|status');
      process.exitCode = 2;
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main(process.argv[2]).catch((err) => {
    console.error(err.message);
    process.exitCode = 1;
  });
}
