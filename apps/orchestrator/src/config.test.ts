import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { defineModule } from '@afenda/platform/module';
import { httpOrigin } from '@afenda/platform/settings';
import { z } from 'zod';
import { loadSettings, settingKeys } from './compose.ts';
import { ConfigError, loadConfig } from './config.ts';

const root = fileURLToPath(new URL('../../../', import.meta.url));

function problems(env: Record<string, string>): string {
  try {
    loadConfig(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error('expected the configuration to be refused');
}

/** A module of this test's own, with a slice of two keys and a check across them. */
const maps = defineModule({
  manifest: {
    id: 'maps',
    name: 'Maps',
    tool: 'Maps',
    description: 'A test module',
    path: '/app/maps',
    order: 100,
    settings: { baseUrl: false, apiToken: false, webhookSecret: false },
  },
  settings: z.object({ MAPS_URL: httpOrigin.optional(), MAPS_KEY: z.string().optional() }),
  checkSettings: (s) =>
    s.MAPS_URL && !s.MAPS_KEY
      ? [{ variable: 'MAPS_KEY', problem: 'is required when MAPS_URL is set' }]
      : [],
  create: () => ({}),
});

describe('settings', () => {
  it('has sane defaults: the embedded default needs no variable at all', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      PORT: 8000,
      embedded: true,
      NODE_ENV: 'development',
      RATE_LIMIT_READS: 600,
    });
    expect(config.CORS_ORIGINS).toEqual(['http://localhost:3000', 'http://127.0.0.1:3000']);
  });

  it("accepts tokens from the realm's API clients only: the Shell, the API reference (and the test client outside production)", () => {
    expect(loadConfig({}).allowedClients).toEqual([
      'afenda-shell',
      'afenda-api-docs',
      'afenda-test',
    ]);
    const production = {
      NODE_ENV: 'production',
      DATABASE_URL: 'postgres://a:b@db/x',
      SETTINGS_ENCRYPTION_KEY: Buffer.alloc(32).toString('base64'),
      KEYCLOAK_ISSUER: 'https://sso.example/realms/afenda',
      KEYCLOAK_ADMIN_CLIENT_SECRET: 'secret',
    };
    expect(loadConfig(production).allowedClients).toEqual(['afenda-shell', 'afenda-api-docs']);
    expect(
      loadConfig({ ...production, OIDC_ALLOWED_CLIENTS: 'afenda-shell, mobile-app' })
        .allowedClients,
    ).toEqual(['afenda-shell', 'mobile-app']);
    expect(problems({ OIDC_ALLOWED_CLIENTS: ' , ' })).toMatch(/OIDC_ALLOWED_CLIENTS/);
  });

  it('names the variable and what is wrong with it', () => {
    expect(problems({ PORT: 'eighty' })).toMatch(
      /PORT must be a whole number between 0 and 65535 \(got "eighty"\)/,
    );
    expect(problems({ PORT: '70000' })).toMatch(/PORT must be at most 65535/);
    expect(problems({ DATABASE_URL: 'mysql://x@y/z' })).toMatch(
      /DATABASE_URL must be a postgres:\/\/ URL/,
    );
    expect(problems({ LOG_LEVEL: 'loud' })).toMatch(/LOG_LEVEL must be one of/);
    expect(problems({ CORS_ORIGINS: 'http://ok.example,not a url' })).toMatch(/CORS_ORIGINS/);
    expect(problems({ SETTINGS_ENCRYPTION_KEY: 'c2hvcnQ=' })).toMatch(
      /SETTINGS_ENCRYPTION_KEY must be 32 bytes/,
    );
    expect(problems({ TRUST_PROXY: 'maybe' })).toMatch(/TRUST_PROXY must be true or false/);
  });

  it('never echoes a secret-bearing value back', () => {
    expect(problems({ DATABASE_URL: 'mysql://user:topsecret@db/x' })).not.toContain('topsecret');
  });

  it('refuses development conveniences in production', () => {
    const message = problems({ NODE_ENV: 'production' });
    expect(message).toMatch(/DATABASE_URL is required in production/);
    expect(message).toMatch(/SETTINGS_ENCRYPTION_KEY is required in production/);
    expect(
      problems({
        NODE_ENV: 'production',
        DATABASE_URL: 'postgres://a:b@db/x',
        SETTINGS_ENCRYPTION_KEY: Buffer.alloc(32).toString('base64'),
        SEED_DEMO_DATA: 'true',
      }),
    ).toMatch(/SEED_DEMO_DATA cannot be true in production/);
  });

  it('requires one whiteboard ticket secret, shared by every replica, in production', () => {
    const production = {
      NODE_ENV: 'production',
      DATABASE_URL: 'postgres://a:b@db/x',
      SETTINGS_ENCRYPTION_KEY: Buffer.alloc(32).toString('base64'),
      KEYCLOAK_ISSUER: 'https://id.example/realms/afenda',
      KEYCLOAK_ADMIN_CLIENT_SECRET: 'admin-client-secret',
    };
    const refused = (() => {
      try {
        loadSettings(production);
      } catch (err) {
        return err as ConfigError;
      }
      throw new Error('expected production without the ticket secret to be refused');
    })();
    expect(refused.problems.map((p) => p.variable)).toContain('WHITEBOARD_TICKET_SECRET');
    expect(refused.message).toMatch(/WHITEBOARD_TICKET_SECRET is required in production/);
    const secret = Buffer.alloc(32, 1).toString('base64');
    const withSecret = (() => {
      try {
        loadSettings({ ...production, WHITEBOARD_TICKET_SECRET: secret });
        return [];
      } catch (err) {
        return (err as ConfigError).problems.map((p) => p.variable);
      }
    })();
    expect(withSecret).not.toContain('WHITEBOARD_TICKET_SECRET');
    // Unsigned Chatwoot deliveries are a development convenience only.
    const unsigned = (() => {
      try {
        loadSettings({
          ...production,
          WHITEBOARD_TICKET_SECRET: secret,
          CHATWOOT_ALLOW_UNSIGNED: 'true',
        });
        return [];
      } catch (err) {
        return (err as ConfigError).problems.map((p) => `${p.variable} ${p.problem}`);
      }
    })();
    expect(unsigned).toContainEqual(
      expect.stringMatching(/^CHATWOOT_ALLOW_UNSIGNED cannot be true in production/),
    );
    // Outside production one process may make its own.
    expect(() => loadSettings({ NODE_ENV: 'development' })).not.toThrow();
  });

  it('documents every setting in .env.example, and nothing that does not exist', () => {
    const documented = new Set(
      readFileSync(`${root}/.env.example`, 'utf8')
        .split('\n')
        .map((l) => /^#?\s*([A-Z][A-Z0-9_]+)=/.exec(l)?.[1])
        .filter((v): v is string => Boolean(v)),
    );
    // The kernel's keys and every module's slice.
    for (const key of settingKeys())
      expect(documented, `${key} missing from .env.example`).toContain(key);
  });

  it("reports the kernel's and the modules' problems together", () => {
    let error: unknown;
    try {
      loadSettings({ NODE_ENV: 'test', PORT: 'abc', MAPS_URL: 'maps', MAPS_KEY: 'k' }, [maps]);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems.map((p) => p.variable).sort();
    expect(problems).toEqual(['MAPS_URL', 'PORT']);
    // A module's check across its keys runs once its keys parse.
    expect(() =>
      loadSettings({ NODE_ENV: 'test', MAPS_URL: 'https://maps.example' }, [maps]),
    ).toThrow(/MAPS_KEY is required when MAPS_URL is set/);
  });

  it('reads each module its own slice', () => {
    const { modules } = loadSettings(
      { NODE_ENV: 'test', MAPS_URL: 'https://maps.example', MAPS_KEY: 'k', PORT: '9000' },
      [maps],
    );
    expect(modules.get('maps')).toEqual({ MAPS_URL: 'https://maps.example', MAPS_KEY: 'k' });
    expect(settingKeys([maps])).toEqual(expect.arrayContaining(['PORT', 'MAPS_URL', 'MAPS_KEY']));
  });

  it('turns a schedule off with "off"', () => {
    expect(
      loadSettings({ NODE_ENV: 'test', JOB_SWEEP_SCHEDULE: 'off' }).config.JOB_SWEEP_SCHEDULE,
    ).toBe('');
    expect(() => loadSettings({ NODE_ENV: 'test', JOB_SWEEP_SCHEDULE: 'every minute' })).toThrow(
      /JOB_SWEEP_SCHEDULE must be five crontab fields/,
    );
  });

  it('stops the process with one clear line when a setting is bad', () => {
    const result = spawnSync(
      process.execPath,
      ['--import', 'tsx', 'apps/orchestrator/src/server.ts'],
      {
        cwd: root,
        env: { ...process.env, PORT: 'abc', DATABASE_URL: '', NODE_ENV: 'development' },
        encoding: 'utf8',
        timeout: 30_000,
      },
    );
    expect(result.status).toBe(1);
    const lines = result.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toBe(
      'afenda-orchestrator: Invalid configuration: PORT must be a whole number between 0 and 65535 (got "abc")',
    );
  });
});
