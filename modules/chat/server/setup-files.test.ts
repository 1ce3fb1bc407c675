import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort } from '@afenda/test-utils/synapse';
import { afterEach, describe, expect, it } from 'vitest';
import {
  checkHomeserver,
  DEV_SYNAPSE_CLIENT_SECRET,
  FRAGMENT_FILE,
  REGISTRATION_FILE,
  runSetup,
  SetupError,
} from './setup-files.ts';

const dirs: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'afenda-chat-setup-'));
  dirs.push(dir);
  return dir;
};
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const readJson = (file: string) =>
  JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;

/**
 * What Synapse's loader requires of a registration (synapse/config/appservice.py, as written
 * down in shared/contracts/matrix/NOTES.md §3 and appservice-registration.yaml): string id,
 * as_token, hs_token, sender_localpart; url a string or an explicit null; namespaces whose
 * users/aliases/rooms entries each have a string regex and a boolean exclusive.
 */
function expectSynapseLoadable(reg: Record<string, unknown>): void {
  for (const key of ['id', 'as_token', 'hs_token', 'sender_localpart']) {
    expect(typeof reg[key], key).toBe('string');
    expect((reg[key] as string).length, key).toBeGreaterThan(0);
  }
  expect('url' in reg && (reg.url === null || typeof reg.url === 'string')).toBe(true);
  const namespaces = reg.namespaces as Record<string, unknown>;
  expect(namespaces).toBeTypeOf('object');
  for (const kind of ['users', 'aliases', 'rooms']) {
    const entries = namespaces[kind] ?? [];
    expect(Array.isArray(entries), kind).toBe(true);
    for (const entry of entries as Record<string, unknown>[]) {
      expect(typeof entry.regex, `${kind} regex`).toBe('string');
      expect(typeof entry.exclusive, `${kind} exclusive`).toBe('boolean');
      expect(() => new RegExp(entry.regex as string)).not.toThrow();
    }
  }
  for (const key of ['rate_limited', 'receive_ephemeral']) {
    if (key in reg) expect(typeof reg[key], key).toBe('boolean');
  }
}

describe('afenda connect matrix: the files', () => {
  it('in a container: Synapse reaches the orchestrator inside, and the fragment carries its database and public URL', () => {
    const out = tempDir();
    const r = runSetup({
      env: {
        PUBLIC_URL: 'https://afenda.example.com',
        MATRIX_APPSERVICE_URL: 'http://orchestrator:8000',
        SYNAPSE_DATABASE_URL: 'postgres://synapse:p%40ss@synapse-db:5432/synapse',
        SYNAPSE_PUBLIC_BASEURL: 'https://matrix.example.com',
      },
      outDir: out,
      appservicePath: '/afenda/appservice-afenda.yaml',
    });
    expect(r.registration.url).toBe('http://orchestrator:8000/api/v1/webhooks/matrix');
    const fragment = readJson(path.join(out, FRAGMENT_FILE));
    expect(fragment).toMatchObject({
      app_service_config_files: ['/afenda/appservice-afenda.yaml'],
      public_baseurl: 'https://matrix.example.com/',
      database: {
        name: 'psycopg2',
        args: {
          user: 'synapse',
          password: 'p@ss',
          database: 'synapse',
          host: 'synapse-db',
          port: 5432,
        },
      },
    });
    // Without them, neither key: the homeserver.yaml's own stay in force.
    const plain = runSetup({ env: {}, outDir: tempDir() });
    expect(Object.keys(plain.fragment).sort()).toEqual([
      'app_service_config_files',
      'oidc_providers',
    ]);
    expect(plain.registration.url).toBe('http://localhost:8000/api/v1/webhooks/matrix');
    expect(() =>
      runSetup({ env: { SYNAPSE_DATABASE_URL: 'mysql://x@y/z' }, outDir: tempDir() }),
    ).toThrow(/SYNAPSE_DATABASE_URL must look like postgres:/);
    expect(() =>
      runSetup({ env: { SYNAPSE_PUBLIC_BASEURL: 'matrix.example.com' }, outDir: tempDir() }),
    ).toThrow(/SYNAPSE_PUBLIC_BASEURL must be an http\(s\) URL/);
  });

  it('writes a registration Synapse can load and a fragment that lists it and signs in through Keycloak', () => {
    const out = tempDir();
    const r = runSetup({
      env: {
        PUBLIC_URL: 'https://api.acme.example/',
        MATRIX_SERVER_NAME: 'matrix.acme.example',
        KEYCLOAK_ISSUER: 'https://sso.acme.example/realms/afenda',
        AFENDA_SYNAPSE_CLIENT_SECRET: 'synapse-secret-from-env',
      },
      outDir: out,
    });
    expect(r.tokens).toBe('generated');
    expect(r.written).toEqual([path.join(out, REGISTRATION_FILE), path.join(out, FRAGMENT_FILE)]);

    const reg = readJson(path.join(out, REGISTRATION_FILE));
    expectSynapseLoadable(reg);
    expect(reg).toMatchObject({
      id: 'afenda-orchestrator',
      url: 'https://api.acme.example/api/v1/webhooks/matrix',
      sender_localpart: 'afenda',
    });
    expect(reg.as_token).not.toBe(reg.hs_token);
    expect(reg.as_token as string).toMatch(/^[\w-]{40,}$/);
    const ns = reg.namespaces as Record<string, { regex: string; exclusive: boolean }[]>;
    const users = new RegExp(`^${ns.users![0]!.regex}$`);
    expect(users.test('@alice:matrix.acme.example')).toBe(true);
    expect(users.test('@alice:matrixXacme.example')).toBe(false);
    expect(
      new RegExp(`^${ns.aliases![0]!.regex}$`).test('#afenda_t1_team:matrix.acme.example'),
    ).toBe(true);

    const fragment = readJson(path.join(out, FRAGMENT_FILE));
    expect(fragment.app_service_config_files).toEqual([path.join(out, REGISTRATION_FILE)]);
    expect(fragment.oidc_providers).toEqual([
      expect.objectContaining({
        idp_id: 'keycloak',
        issuer: 'https://sso.acme.example/realms/afenda',
        client_id: 'synapse',
        client_secret: 'synapse-secret-from-env',
        allow_existing_users: true,
        user_mapping_provider: {
          config: expect.objectContaining({ localpart_template: '{{ user.preferred_username }}' }),
        },
      }),
    ]);
    // Secrets inside: only the owner reads them.
    expect(statSync(path.join(out, REGISTRATION_FILE)).mode & 0o077).toBe(0);

    expect(r.envLines).toEqual([
      'MATRIX_HOMESERVER_URL=http://127.0.0.1:8008',
      'MATRIX_SERVER_NAME=matrix.acme.example',
      `MATRIX_AS_TOKEN=${reg.as_token as string}`,
      `MATRIX_WEBHOOK_TOKEN=${reg.hs_token as string}`,
      'MATRIX_BOT_LOCALPART=afenda',
    ]);
  });

  it('defaults to the development identity provider, the dev secret and the orchestrator on :8000', () => {
    const out = tempDir();
    const r = runSetup({ env: {}, outDir: out, appservicePath: '/config/appservice-afenda.yaml' });
    expect(r.registration.url).toBe('http://localhost:8000/api/v1/webhooks/matrix');
    expect(r.fragment.app_service_config_files).toEqual(['/config/appservice-afenda.yaml']);
    expect(r.fragment.oidc_providers[0]).toMatchObject({
      issuer: 'http://localhost:8080/realms/afenda',
      client_secret: DEV_SYNAPSE_CLIENT_SECRET,
    });
    // The dev secret is the realm export's placeholder default.
    const realm = readFileSync(
      new URL('../../../deploy/keycloak/realm-afenda.json', import.meta.url),
      'utf8',
    );
    expect(realm).toContain(`"\${AFENDA_SYNAPSE_CLIENT_SECRET:${DEV_SYNAPSE_CLIENT_SECRET}}"`);
  });

  it('is idempotent: a re-run keeps the tokens and rewrites nothing; --rotate replaces them', () => {
    const out = tempDir();
    const first = runSetup({ env: {}, outDir: out });
    const again = runSetup({ env: {}, outDir: out });
    expect(again.written).toEqual([]);
    expect(again.tokens).toBe('existing registration');
    expect(again.registration).toEqual(first.registration);

    // A changed setting rewrites what depends on it, with the same tokens.
    const moved = runSetup({ env: { PUBLIC_URL: 'http://127.0.0.1:9000' }, outDir: out });
    expect(moved.written).toEqual([path.join(out, REGISTRATION_FILE)]);
    expect(moved.registration.as_token).toBe(first.registration.as_token);

    const rotated = runSetup({ env: {}, outDir: out, rotate: true });
    expect(rotated.tokens).toBe('generated');
    expect(rotated.registration.as_token).not.toBe(first.registration.as_token);
    expect(rotated.registration.hs_token).not.toBe(first.registration.hs_token);
  });

  it('takes the tokens from MATRIX_AS_TOKEN and MATRIX_WEBHOOK_TOKEN when both are set', () => {
    const out = tempDir();
    runSetup({ env: {}, outDir: out });
    const r = runSetup({
      env: { MATRIX_AS_TOKEN: 'a'.repeat(32), MATRIX_WEBHOOK_TOKEN: 'h'.repeat(32) },
      outDir: out,
    });
    expect(r.tokens).toBe('environment');
    expect(readJson(path.join(out, REGISTRATION_FILE))).toMatchObject({
      as_token: 'a'.repeat(32),
      hs_token: 'h'.repeat(32),
    });
  });

  it.each([
    [{ MATRIX_AS_TOKEN: 'a'.repeat(32) }, /set together or not at all \(only MATRIX_AS_TOKEN/],
    [{ MATRIX_AS_TOKEN: 'x'.repeat(20), MATRIX_WEBHOOK_TOKEN: 'x'.repeat(20) }, /must differ/],
    [{ MATRIX_AS_TOKEN: 'short', MATRIX_WEBHOOK_TOKEN: 'h'.repeat(20) }, /at least 16/],
    [{ PUBLIC_URL: 'localhost:8000' }, /PUBLIC_URL must be an http\(s\) URL/],
    [{ MATRIX_SERVER_NAME: 'https://matrix.example' }, /MATRIX_SERVER_NAME must be a host name/],
    [{ MATRIX_BOT_LOCALPART: 'Bot!' }, /MATRIX_BOT_LOCALPART may only hold/],
    [{ KEYCLOAK_ISSUER: 'https://sso.example' }, /KEYCLOAK_ISSUER must look like/],
    [{ NODE_ENV: 'production' }, /AFENDA_SYNAPSE_CLIENT_SECRET is required in production/],
  ])('refuses %j in one sentence', (env, message) => {
    expect(() => runSetup({ env, outDir: tempDir() })).toThrow(SetupError);
    expect(() => runSetup({ env, outDir: tempDir() })).toThrow(message);
  });

  it('refuses to overwrite a registration it cannot read, unless --rotate', () => {
    const out = tempDir();
    writeFileSync(path.join(out, REGISTRATION_FILE), 'id: hand-written\n');
    expect(() => runSetup({ env: {}, outDir: out })).toThrow(/not the JSON registration/);
    expect(runSetup({ env: {}, outDir: out, rotate: true }).tokens).toBe('generated');
  });
});

describe('afenda connect matrix: the command line', { timeout: 60_000 }, () => {
  const cli = (args: string[], env: Record<string, string> = {}) =>
    spawnSync(
      process.execPath,
      ['apps/orchestrator/bin/afenda.mjs', 'connect', 'matrix', ...args],
      {
        encoding: 'utf8',
        env: { PATH: process.env.PATH ?? '', ...env },
        cwd: path.resolve(import.meta.dirname, '../../..'),
      },
    );

  it('writes the files and prints the .env lines', () => {
    const out = tempDir();
    const r = cli(['--out', out]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^MATRIX_AS_TOKEN=[\w-]{40,}$/m);
    expect(r.stdout).toMatch(/^MATRIX_SERVER_NAME=afenda\.test$/m);
    expect(cli(['--out', out]).stdout).toMatch(/unchanged .*appservice-afenda\.yaml/);
    // Tokens from the environment (compose's bootstrap): the files, and no secret printed.
    const fromEnv = cli(['--out', tempDir()], {
      MATRIX_AS_TOKEN: 'as-token-from-the-environment-0123',
      MATRIX_WEBHOOK_TOKEN: 'hs-token-from-the-environment-0123',
    });
    expect(fromEnv.status).toBe(0);
    expect(fromEnv.stdout).toMatch(/^tokens: environment$/m);
    expect(fromEnv.stdout).not.toContain('from-the-environment');
  });

  it('answers a mistake in one line, without a stack trace', () => {
    const r = cli(['--out', tempDir()], { PUBLIC_URL: 'nope' });
    expect(r.status).toBe(1);
    expect(r.stderr.trim().split('\n')).toEqual([
      'afenda connect: PUBLIC_URL must be an http(s) URL (got "nope")',
    ]);
    const extra = cli(['teardown']);
    expect(extra.status).toBe(1);
    expect(extra.stderr.trim()).toBe(
      'afenda connect: connect matrix takes no words after it (teardown)',
    );
    const both = cli(['--check', '--rotate']);
    expect(both.stderr.trim()).toBe(
      'afenda connect: --check reads the registration and --rotate replaces it: pick one',
    );
  });

  it('--check says plainly when no homeserver answers', async () => {
    const out = tempDir();
    cli(['--out', out]);
    const port = await freePort();
    const r = cli(['--check', '--out', out], {
      MATRIX_HOMESERVER_URL: `http://127.0.0.1:${port}`,
    });
    expect(r.status).toBe(1);
    expect(r.stdout.trim()).toBe(
      `FAIL no homeserver answers at http://127.0.0.1:${port} (ECONNREFUSED)`,
    );
  });
});

describe('checkHomeserver', () => {
  it('tells a server that is not a homeserver from one that does not know the token', async () => {
    const notMatrix = (async () => new Response('<html>', { status: 200 })) as typeof fetch;
    expect(
      await checkHomeserver({
        homeserverUrl: 'http://hs.example',
        serverName: 'hs.example',
        asToken: 't',
        botLocalpart: 'afenda',
        fetchImpl: notMatrix,
      }),
    ).toEqual([
      {
        ok: false,
        text: "http://hs.example/_matrix/client/versions answered 200, not a Matrix homeserver's list of versions",
      },
    ]);
  });
});
