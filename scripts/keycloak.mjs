#!/usr/bin/env node
// A real Keycloak for tests and development, from Maven Central through mvn (no Docker).
//
//   node scripts/keycloak.mjs fetch    resolve org.keycloak:keycloak-quarkus-dist with mvn (cached in
//                                      ~/.m2) and extract it under .cache/keycloak/keycloak-<version>
//   node scripts/keycloak.mjs start    start-dev with the realm deploy/keycloak/realm-afenda.json
//                                      imported into an in-memory database; waits until ready, writes
//                                      .cache/keycloak/state.json and prints the issuer on stdout
//   node scripts/keycloak.mjs stop     SIGTERM to the java process of the instance in state.json
//   node scripts/keycloak.mjs status   prints state.json if that instance is still running
//
// Environment: KEYCLOAK_VERSION (default below), KEYCLOAK_PORT (18080) and
// KEYCLOAK_MANAGEMENT_PORT (19000), 0 = a free port; KEYCLOAK_JAVA_HOME (else a JDK under
// /usr/lib/jvm chosen for the version); KEYCLOAK_JAVA_OPTS_APPEND (replaces the JVM options
// below); KEYCLOAK_START_TIMEOUT (seconds, 180); KEYCLOAK_CACHE_DIR (where distributions are
// extracted, default .cache/keycloak); KEYCLOAK_REALM_FILE (another realm export to import, for
// trying a change before editing deploy/keycloak/realm-afenda.json). The realm's ${AFENDA_*_CLIENT_SECRET} placeholders are
// resolved by Keycloak from the environment at import.
//
// The same functions are imported by packages/test-utils/src/keycloak.ts: one implementation.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  readdirSync,
  realpathSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { homedir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** 26.5.6 on JDK 17 is the pair that reached ready fastest here (see docs/keycloak.md). */
export const DEFAULT_VERSION = '26.5.6';
export const REALM = 'afenda';
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const REALM_FILE = path.join(REPO_ROOT, 'deploy/keycloak/realm-afenda.json');
export const STATE_DIR = path.join(REPO_ROOT, '.cache/keycloak');
export const STATE_FILE = path.join(STATE_DIR, 'state.json');
export const DEFAULT_PORT = 18080;
export const DEFAULT_MANAGEMENT_PORT = 19000;
/**
 * Modest heap; C1 only and the serial collector: on 2 cores ~40% less CPU to ready (no C2
 * compilations), a few seconds sooner and ~130 MB less RSS than Keycloak's own G1 defaults.
 */
export const DEFAULT_JAVA_OPTS_APPEND =
  '-Xms64m -Xmx512m -XX:TieredStopAtLevel=1 -XX:-UseG1GC -XX:+UseSerialGC';
const MAVEN_PLUGIN = 'org.apache.maven.plugins:maven-dependency-plugin:3.8.1';
const MARKER = '.afenda-extracted';
/** Written once a start-dev got ready: Quarkus has re-augmented the distribution for it. */
const AUGMENTED = '.afenda-augmented';

const cacheDir = () => path.resolve(process.env.KEYCLOAK_CACHE_DIR || STATE_DIR);
const quiet = () => {};

export function keycloakVersion() {
  return checkVersion(process.env.KEYCLOAK_VERSION || DEFAULT_VERSION);
}

function checkVersion(version) {
  if (!/^\d+\.\d+\.\d+([.-][\w.-]+)?$/.test(version)) {
    throw new Error(`not a Keycloak version: ${JSON.stringify(version)}`);
  }
  return version;
}

export function keycloakHome(version = keycloakVersion()) {
  return path.join(cacheDir(), `keycloak-${version}`);
}

/** Runs a command, collecting its output; rejects with that output when it fails. */
function run(command, args, options = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], ...options });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.on('error', (error) =>
      reject(
        new Error(
          `cannot run ${command}: ${error.message}${command === 'mvn' ? ' (install Maven: apt-get install maven)' : ''}`,
          { cause: error },
        ),
      ),
    );
    child.on('close', (code) => {
      if (code === 0) resolve(output);
      else reject(new Error(`${command} ${args.join(' ')} exited with ${code}\n${output.trim()}`));
    });
  });
}

/**
 * A lock between processes (a folder: mkdir is atomic), held while a distribution is extracted
 * and during its first start (when kc.sh re-augments it in place): parallel test files on a fresh
 * clone would otherwise write the same files at once. A dead owner's lock is taken over.
 */
async function lock(dir, timeoutMs = 300_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      mkdirSync(dir);
      writeFileSync(path.join(dir, 'pid'), String(process.pid));
      return () => rmSync(dir, { recursive: true, force: true });
    } catch (error) {
      if (error.code !== 'EEXIST') throw error;
    }
    let owner = 0;
    try {
      owner = Number(readFileSync(path.join(dir, 'pid'), 'utf8'));
    } catch {
      // being created: wait
    }
    if (owner && !alive(owner)) rmSync(dir, { recursive: true, force: true });
    else if (Date.now() > deadline) throw new Error(`timed out waiting for the lock ${dir}`);
    else await sleep(250);
  }
}

/**
 * Makes .cache/keycloak/keycloak-<version> exist: the tar.gz is taken from ~/.m2 when it is
 * already there, else resolved with mvn (which downloads it into ~/.m2 once), then extracted
 * into a temporary folder and renamed into place, so an interrupted run leaves nothing half done.
 */
export async function fetchKeycloak({ version = keycloakVersion(), log = quiet } = {}) {
  checkVersion(version);
  const home = keycloakHome(version);
  if (existsSync(path.join(home, MARKER))) return { version, home, fetched: false };
  mkdirSync(cacheDir(), { recursive: true });
  const unlock = await lock(`${home}.lock`);
  try {
    if (existsSync(path.join(home, MARKER))) return { version, home, fetched: false };
    return await extract(version, home, log);
  } finally {
    unlock();
  }
}

async function extract(version, home, log) {
  const started = Date.now();
  const work = path.join(cacheDir(), `.fetch-${process.pid}-${randomBytes(3).toString('hex')}`);
  mkdirSync(work, { recursive: true });
  try {
    const name = `keycloak-quarkus-dist-${version}.tar.gz`;
    let archive = path.join(
      homedir(),
      '.m2/repository/org/keycloak/keycloak-quarkus-dist',
      version,
      name,
    );
    if (!existsSync(archive)) {
      log(`keycloak: resolving org.keycloak:keycloak-quarkus-dist:${version}:tar.gz with mvn`);
      await run('mvn', [
        '-B',
        '-q',
        '-C',
        '-Dstyle.color=never',
        `${MAVEN_PLUGIN}:copy`,
        `-Dartifact=org.keycloak:keycloak-quarkus-dist:${version}:tar.gz`,
        `-DoutputDirectory=${work}`,
      ]);
      archive = path.join(work, name);
      if (!existsSync(archive)) throw new Error(`mvn did not produce ${archive}`);
    }
    log(`keycloak: extracting ${archive}`);
    const into = path.join(work, 'x');
    mkdirSync(into);
    await run('tar', ['-xzf', archive, '-C', into]);
    const extracted = path.join(into, `keycloak-${version}`);
    if (!existsSync(path.join(extracted, 'bin/kc.sh'))) {
      throw new Error(`${archive} holds no keycloak-${version}/bin/kc.sh`);
    }
    writeFileSync(path.join(extracted, MARKER), `${new Date().toISOString()}\n`);
    rmSync(home, { recursive: true, force: true });
    renameSync(extracted, home);
    log(`keycloak: ${home} ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    return { version, home, fetched: true };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

function majorOf(jdk) {
  try {
    const release = readFileSync(path.join(jdk, 'release'), 'utf8');
    const match = /^JAVA_VERSION="(\d+)/m.exec(release);
    return match && existsSync(path.join(jdk, 'bin/java')) ? Number(match[1]) : undefined;
  } catch {
    return undefined;
  }
}

/** JDKs on this machine: JAVA_HOME and /usr/lib/jvm/*, by major version. */
export function listJdks() {
  const candidates = [];
  if (process.env.JAVA_HOME) candidates.push(process.env.JAVA_HOME);
  try {
    for (const entry of readdirSync('/usr/lib/jvm').sort())
      candidates.push(`/usr/lib/jvm/${entry}`);
  } catch {
    // no /usr/lib/jvm
  }
  const seen = new Set();
  const jdks = [];
  for (const candidate of candidates) {
    let real;
    try {
      real = realpathSync(candidate);
    } catch {
      continue;
    }
    if (seen.has(real)) continue;
    seen.add(real);
    const major = majorOf(real);
    if (major) jdks.push({ home: real, major });
  }
  return jdks;
}

function atLeast(version, major, minor) {
  const [a = 0, b = 0] = version.split('.').map(Number);
  return a > major || (a === major && b >= minor);
}

/**
 * The JDK for a Keycloak version: KEYCLOAK_JAVA_HOME wins; else 26.6+ prefers 25 then 21 (JDK 25
 * is supported from 26.6.0), older versions prefer 21 then 17 (17 is deprecated but works).
 */
export function pickJavaHome(version = keycloakVersion()) {
  if (process.env.KEYCLOAK_JAVA_HOME) return process.env.KEYCLOAK_JAVA_HOME;
  const order = atLeast(version, 26, 6) ? [25, 21, 17] : [21, 17, 25];
  const jdks = listJdks();
  for (const major of order) {
    const jdk = jdks.find((j) => j.major === major);
    if (jdk) return jdk.home;
  }
  const newest = jdks.sort((x, y) => y.major - x.major)[0];
  if (newest && newest.major >= 17) return newest.home;
  throw new Error(
    `no JDK 17+ found (looked at JAVA_HOME and /usr/lib/jvm); set KEYCLOAK_JAVA_HOME`,
  );
}

/** A free TCP port on 127.0.0.1 (or checks that `port` is free). */
export function listenablePort(port = 0) {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', (error) =>
      reject(
        error.code === 'EADDRINUSE'
          ? new Error(`port ${port} on 127.0.0.1 is in use (a Keycloak already running?)`)
          : error,
      ),
    );
    server.listen({ port, host: '127.0.0.1', exclusive: true }, () => {
      const { port: bound } = server.address();
      server.close(() => resolve(bound));
    });
  });
}

function portFrom(value, fallback) {
  if (value === undefined || value === null || value === '') return fallback;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`bad port: ${value}`);
  return port;
}

export function tailFile(file, lines = 40) {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

function alive(pid) {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return error.code === 'EPERM';
  }
  try {
    // a zombie is not alive
    return !/^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, 'utf8'));
  } catch {
    return true;
  }
}

function cmdline(pid) {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
  } catch {
    return [];
  }
}

/**
 * kc.sh runs java as its child (first run: augmentation, then it exec's java again, so the pid
 * becomes java's); this finds the java process: the pid itself or its java child.
 */
function javaPidOf(pid) {
  const isJava = (p) => /\/java$/.test(cmdline(p)[0] ?? '');
  if (isJava(pid)) return pid;
  try {
    const children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/);
    const java = children.map(Number).find((child) => child && isJava(child));
    if (java) return java;
  } catch {
    // not Linux, or gone
  }
  return pid;
}

/** Whether pid is a Keycloak java process started from `home` (guards against pid reuse). */
function isKeycloakProcess(pid, home) {
  return cmdline(pid).some((arg) => arg.startsWith('-Dkc.home.dir=') && arg.includes(home));
}

async function waitForExit(pid, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (alive(pid)) {
    if (Date.now() > deadline) return false;
    await sleep(100);
  }
  return true;
}

/** SIGTERM to the java process, waits for it (then SIGKILL after `timeoutMs`). */
export async function stopProcess(pid, { timeoutMs = 30_000, scriptPid } = {}) {
  if (!pid || !alive(pid)) return false;
  process.kill(pid, 'SIGTERM');
  if (!(await waitForExit(pid, timeoutMs))) {
    process.kill(pid, 'SIGKILL');
    await waitForExit(pid, 5_000);
  }
  if (scriptPid && scriptPid !== pid) await waitForExit(scriptPid, 5_000);
  return true;
}

async function getJson(url) {
  const response = await globalThis.fetch(url, { signal: globalThis.AbortSignal.timeout(5_000) });
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  return response.json();
}

/** true when ready; the issuer seen when it is not the expected one; false when not ready yet. */
async function probe(managementPort, issuer) {
  try {
    const health = await getJson(`http://127.0.0.1:${managementPort}/health/ready`);
    if (health.status !== 'UP') return false;
    const discovery = await getJson(`${issuer}/.well-known/openid-configuration`);
    return discovery.issuer === issuer ? true : String(discovery.issuer);
  } catch {
    return false;
  }
}

/**
 * Starts Keycloak (start-dev, in-memory H2, realm imported) and resolves once /health/ready is UP
 * and the realm's discovery document answers with the expected issuer.
 * Returns { url, issuer, port, managementPort, pid, scriptPid, adminUser, adminPassword, version,
 * home, logFile, stop() }. `stateFile` (null: none) receives the same fields except stop.
 */
export async function launchKeycloak(options = {}) {
  const {
    version = keycloakVersion(),
    port: wantedPort = portFrom(process.env.KEYCLOAK_PORT, DEFAULT_PORT),
    managementPort: wantedManagementPort = portFrom(
      process.env.KEYCLOAK_MANAGEMENT_PORT,
      DEFAULT_MANAGEMENT_PORT,
    ),
    timeoutMs = Number(process.env.KEYCLOAK_START_TIMEOUT || 180) * 1000,
    realmFile = process.env.KEYCLOAK_REALM_FILE || REALM_FILE,
    stateFile = null,
    detached = false,
    env: extraEnv = {},
    log = quiet,
  } = options;
  const { home } = await fetchKeycloak({ version, log });
  const javaHome = pickJavaHome(version);
  // the first start-dev re-augments the distribution: one process at a time
  let unlockAugmentation = null;
  if (!existsSync(path.join(home, AUGMENTED))) {
    log('keycloak: first start of this distribution (Quarkus re-augments it for start-dev)');
    unlockAugmentation = await lock(`${home}.lock`, timeoutMs);
    if (existsSync(path.join(home, AUGMENTED))) {
      unlockAugmentation();
      unlockAugmentation = null;
    }
  }
  try {
    return await spawnKeycloak();
  } catch (error) {
    unlockAugmentation?.();
    throw error;
  }

  async function spawnKeycloak() {
    const port = await listenablePort(wantedPort);
    const managementPort = await listenablePort(wantedManagementPort);
    if (port === managementPort) throw new Error(`port and management port are both ${port}`);

    // Only *.json directly in data/import are imported: one file, named after our realm, replaced
    // by a rename so that another instance importing at that moment reads a whole file.
    const importDir = path.join(home, 'data/import');
    mkdirSync(importDir, { recursive: true });
    const imported = path.join(importDir, `realm-${REALM}.json`);
    const realmJson = readFileSync(realmFile);
    if (!existsSync(imported) || !readFileSync(imported).equals(realmJson)) {
      const temporary = `${imported}.${process.pid}.tmp`;
      writeFileSync(temporary, realmJson);
      renameSync(temporary, imported);
    }

    const url = `http://127.0.0.1:${port}`;
    const issuer = `${url}/realms/${REALM}`;
    const adminUser = `admin-${randomBytes(3).toString('hex')}`;
    const adminPassword = randomBytes(18).toString('base64url');
    mkdirSync(STATE_DIR, { recursive: true });
    const logFile = path.join(STATE_DIR, `keycloak-${port}.log`);
    const logFd = openSync(logFile, 'w');
    const args = [
      'start-dev',
      '--import-realm',
      '--db=dev-mem',
      '--http-host=127.0.0.1',
      `--http-port=${port}`,
      `--hostname=${url}`,
      `--http-management-port=${managementPort}`,
      '--health-enabled=true',
    ];
    const started = Date.now();
    log(`keycloak: starting ${version} (JAVA_HOME=${javaHome}) on ${url}, log ${logFile}`);
    const child = spawn(path.join(home, 'bin/kc.sh'), args, {
      cwd: home,
      detached,
      stdio: ['ignore', logFd, logFd],
      env: {
        ...process.env,
        ...extraEnv,
        JAVA_HOME: javaHome,
        JAVA_OPTS_APPEND: process.env.KEYCLOAK_JAVA_OPTS_APPEND ?? DEFAULT_JAVA_OPTS_APPEND,
        KC_BOOTSTRAP_ADMIN_USERNAME: adminUser,
        KC_BOOTSTRAP_ADMIN_PASSWORD: adminPassword,
      },
    });
    closeSync(logFd);
    let exited = null;
    child.on(
      'exit',
      (code, signal) => (exited ??= `kc.sh exited (code ${code}, signal ${signal})`),
    );
    child.on('error', (error) => (exited ??= `cannot run kc.sh: ${error.message}`));
    if (detached) child.unref();
    // Never leave a Keycloak behind a process that goes away: while waiting (and, for an attached
    // instance, until stop()), exiting or being interrupted stops it too.
    const killOnExit = () => {
      try {
        process.kill(javaPidOf(child.pid), 'SIGTERM');
      } catch {
        // already gone
      }
    };
    const onSignal = (signal) => {
      killOnExit();
      process.exit(signal === 'SIGINT' ? 130 : 143);
    };
    process.once('exit', killOnExit);
    if (detached) for (const signal of ['SIGINT', 'SIGTERM']) process.once(signal, onSignal);
    const release = () => {
      process.off('exit', killOnExit);
      for (const signal of ['SIGINT', 'SIGTERM']) process.off(signal, onSignal);
    };

    const fail = async (reason) => {
      release();
      if (!exited && child.pid) await stopProcess(javaPidOf(child.pid), { timeoutMs: 10_000 });
      throw new Error(
        `Keycloak ${version} did not become ready: ${reason}\n--- last lines of ${logFile} ---\n${tailFile(logFile)}`,
      );
    };
    for (;;) {
      if (exited) await fail(exited);
      if (Date.now() - started > timeoutMs) await fail(`timed out after ${timeoutMs / 1000} s`);
      const seen = await probe(managementPort, issuer);
      if (seen === true) break;
      if (seen) await fail(`the discovery document's issuer is ${seen}, expected ${issuer}`);
      await sleep(250);
    }
    const readySeconds = (Date.now() - started) / 1000;
    const pid = javaPidOf(child.pid);
    if (detached) release();
    if (unlockAugmentation) {
      writeFileSync(path.join(home, AUGMENTED), `${new Date().toISOString()}\n`);
      unlockAugmentation();
      unlockAugmentation = null;
    }
    const state = {
      url,
      issuer,
      port,
      managementPort,
      pid,
      scriptPid: child.pid,
      adminUser,
      adminPassword,
      version,
      javaHome,
      home,
      logFile,
      readySeconds,
    };
    if (stateFile) {
      writeFileSync(stateFile, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
    }
    log(`keycloak: ready in ${readySeconds.toFixed(1)} s (java pid ${pid})`);
    return {
      ...state,
      async stop() {
        release();
        await stopProcess(pid, { scriptPid: child.pid });
        if (stateFile && readState(stateFile)?.pid === pid) rmSync(stateFile, { force: true });
        // a private (test) instance's log goes with it; one that failed to start keeps its log
        if (!stateFile) rmSync(logFile, { force: true });
      },
    };
  }
}

/** The state file's contents, or undefined. */
export function readState(stateFile = STATE_FILE) {
  try {
    return JSON.parse(readFileSync(stateFile, 'utf8'));
  } catch {
    return undefined;
  }
}

/** The running instance described by the state file, or undefined (a stale file is removed). */
export function runningInstance(stateFile = STATE_FILE) {
  const state = readState(stateFile);
  if (!state) return undefined;
  if (alive(state.pid) && isKeycloakProcess(state.pid, state.home)) return state;
  rmSync(stateFile, { force: true });
  return undefined;
}

/** Stops the instance of the state file; false when none was running. */
export async function stopKeycloak({ stateFile = STATE_FILE, log = quiet } = {}) {
  const state = runningInstance(stateFile);
  if (!state) return false;
  log(`keycloak: stopping java pid ${state.pid}`);
  await stopProcess(state.pid, { scriptPid: state.scriptPid });
  rmSync(stateFile, { force: true });
  return true;
}

async function main(command) {
  const log = (line) => console.error(line);
  switch (command) {
    case 'fetch': {
      const started = Date.now();
      const { home, fetched } = await fetchKeycloak({ log });
      log(
        `keycloak: ${home} (${fetched ? 'fetched' : 'already there'}, ${((Date.now() - started) / 1000).toFixed(1)} s)`,
      );
      return;
    }
    case 'start': {
      const running = runningInstance();
      if (running) {
        log(`keycloak: already running (pid ${running.pid}), state in ${STATE_FILE}`);
        console.log(running.issuer);
        return;
      }
      const instance = await launchKeycloak({ stateFile: STATE_FILE, detached: true, log });
      log(`keycloak: state (admin credentials included) in ${STATE_FILE}`);
      console.log(instance.issuer);
      return;
    }
    case 'stop': {
      const stopped = await stopKeycloak({ log });
      log(stopped ? 'keycloak: stopped' : 'keycloak: not running');
      return;
    }
    case 'status': {
      const running = runningInstance();
      if (!running) {
        log('keycloak: not running');
        process.exitCode = 1;
        return;
      }
      const { adminPassword: _secret, ...visible } = running;
      console.log(JSON.stringify(visible, null, 2));
      return;
    }
    default:
      console.error('usage: node scripts/keycloak.mjs fetch|start|stop|status');
      process.exitCode = 2;
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  main(process.argv[2]).catch((error) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  });
}
