import { spawn } from 'node:child_process';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const SERVER = fileURLToPath(new URL('./server.ts', import.meta.url));
const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

function run(env: Record<string, string>) {
  const child = spawn(process.execPath, ['--import', 'tsx', SERVER], {
    cwd: REPO_ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return {
    child,
    exited,
    get stdout() {
      return stdout;
    },
    get stderr() {
      return stderr;
    },
  };
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'afenda-dev-idp-server-'));
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('server.ts', () => {
  it('refuses NODE_ENV=production with one line on stderr and exit code 1', async () => {
    const proc = run({ NODE_ENV: 'production', DATA_DIR: dir });
    expect(await proc.exited).toBe(1);
    expect(proc.stdout).toBe('');
    const lines = proc.stderr.split('\n').filter(Boolean);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^afenda-dev-idp: refusing to start with NODE_ENV=production/);
  });

  it('refuses a malformed public URL', async () => {
    const proc = run({
      DEV_IDP_PORT: '0',
      DEV_IDP_PUBLIC_URL: 'http://localhost:8080/idp',
      DATA_DIR: dir,
    });
    expect(await proc.exited).toBe(1);
    expect(proc.stderr).toContain('DEV_IDP_PUBLIC_URL');
  });

  it('starts, logs one JSON line with the issuer, keeps its key in DATA_DIR and stops on SIGTERM', async () => {
    const proc = run({ DEV_IDP_PORT: '0', DATA_DIR: dir, NODE_ENV: 'development' });
    const deadline = Date.now() + 20_000;
    while (!proc.stdout.includes('\n') && Date.now() < deadline && proc.child.exitCode === null) {
      await new Promise((r) => setTimeout(r, 50));
    }
    const [line = '{}'] = proc.stdout.split('\n');
    const log = JSON.parse(line) as Record<string, string>;
    expect(log).toMatchObject({ level: 30, service: 'afenda-dev-idp', key: 'created' });
    expect(log.issuer).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/realms\/afenda$/);
    expect(proc.stderr).toBe('');

    const doc = (await (await fetch(`${log.issuer}/.well-known/openid-configuration`)).json()) as {
      issuer: string;
    };
    expect(doc.issuer).toBe(log.issuer);
    expect((await stat(path.join(dir, 'dev-idp', 'jwks.json'))).mode & 0o777).toBe(0o600);

    proc.child.kill('SIGTERM');
    expect(await proc.exited).toBe(0);
    expect(proc.stdout.split('\n').filter(Boolean)).toHaveLength(1);
  });
});
