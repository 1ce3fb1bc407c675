#!/usr/bin/env node
// `npm start`: the whole product on the embedded default. Starts the orchestrator (embedded
// PostgreSQL and demo data unless DATABASE_URL is set), builds the Shell if its sources changed
// (Turborepo caches the build), starts it, and prints both URLs. Ctrl-C stops everything.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';

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

function run(name, command, args, env = {}) {
  const child = spawn(command, args, { stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, ...env } });
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
  for (const child of children) child.kill('SIGTERM');
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

run('orchestrator', process.execPath, ['--import', 'tsx', 'apps/orchestrator/src/server.ts'], { PORT: orchestratorPort });

console.log('Building the Shell (cached after the first time)...');
const build = run('build', 'npx', ['turbo', 'run', 'build', '--filter=@afenda/shell', '--output-logs=errors-only'], {
  NEXT_TELEMETRY_DISABLED: '1',
});
const built = await new Promise((resolve) => build.on('exit', (code) => resolve(code === 0)));
if (stopping) {
  // already stopping: the reason was printed
} else if (!built) {
  console.error('The Shell failed to build; see the errors above.');
  stop(1);
} else {
  run('shell', 'npx', ['next', 'start', 'apps/shell', '--port', shellPort], {
    ORCHESTRATOR_URL: orchestratorUrl,
    NEXT_TELEMETRY_DISABLED: '1',
  });
  const [orchestratorReady, shellReady] = await Promise.all([
    waitReady(`http://127.0.0.1:${orchestratorPort}/readyz`, 120_000),
    waitReady(`http://127.0.0.1:${shellPort}/`, 120_000),
  ]);
  if (!stopping) {
    if (orchestratorReady && shellReady) {
      console.log(`
  Axis Afenda is running (embedded default${process.env.DATABASE_URL ? ', external database' : ', demo data loaded'}).

    Shell          http://localhost:${shellPort}
    Orchestrator   ${orchestratorUrl}   (API reference: ${orchestratorUrl}/api/v1/docs)

  Press Ctrl-C to stop.
`);
    } else {
      console.error(`Not ready in time: orchestrator ${orchestratorReady ? 'ready' : 'not ready'}, shell ${shellReady ? 'ready' : 'not ready'}.`);
      stop(1);
    }
  }
}
