import { describe, expect, it } from 'vitest';

import { AuthConfigError, loadAuthConfig } from './config';

describe('loadAuthConfig', () => {
  it('has development defaults outside production', () => {
    expect(loadAuthConfig({})).toEqual({
      production: false,
      issuer: 'http://localhost:8080/realms/afenda',
      clientId: 'afenda-shell',
      clientSecret: 'afenda-shell-dev-secret',
      publicUrl: 'http://localhost:3000',
      redirectUri: 'http://localhost:3000/auth/callback',
      secureCookies: false,
      databaseUrl: undefined,
      redisUrl: undefined,
      sessionTtlS: 36_000,
      orchestratorUrl: 'http://localhost:8000',
      loginBudget: { limit: 20, windowMs: 60_000 },
    });
  });

  it('reads every setting, treating empty values as unset', () => {
    const config = loadAuthConfig({
      NODE_ENV: 'production',
      OIDC_ISSUER: 'https://sso.example/realms/afenda/',
      OIDC_CLIENT_ID: 'shell',
      OIDC_CLIENT_SECRET: 's3cret',
      SHELL_PUBLIC_URL: 'https://afenda.example/',
      DATABASE_URL: 'postgres://app:pw@db:5432/afenda',
      REDIS_URL: '',
      SESSION_TTL_S: '3600',
      ORCHESTRATOR_URL: 'http://orchestrator:8000/',
      RATE_LIMIT_LOGIN: '5',
      RATE_LIMIT_WINDOW_MS: '30000',
    });
    expect(config).toMatchObject({
      production: true,
      issuer: 'https://sso.example/realms/afenda',
      clientId: 'shell',
      clientSecret: 's3cret',
      publicUrl: 'https://afenda.example',
      redirectUri: 'https://afenda.example/auth/callback',
      secureCookies: true,
      databaseUrl: 'postgres://app:pw@db:5432/afenda',
      redisUrl: undefined,
      sessionTtlS: 3600,
      orchestratorUrl: 'http://orchestrator:8000',
      loginBudget: { limit: 5, windowMs: 30_000 },
    });
  });

  it('requires the issuer and the client secret in production, naming them', () => {
    let error: unknown;
    try {
      loadAuthConfig({ NODE_ENV: 'production', OIDC_CLIENT_SECRET: '' });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(AuthConfigError);
    expect((error as AuthConfigError).problems.map((p) => p.variable)).toEqual([
      'OIDC_ISSUER',
      'OIDC_CLIENT_SECRET',
    ]);
    expect((error as Error).message).toMatch(/OIDC_CLIENT_SECRET is required in production/);
  });

  it('refuses malformed values with the variable named', () => {
    expect(() => loadAuthConfig({ SHELL_PUBLIC_URL: 'https://afenda.example/app' })).toThrow(
      /SHELL_PUBLIC_URL must be an origin/,
    );
    expect(() => loadAuthConfig({ OIDC_ISSUER: 'not a url' })).toThrow(/OIDC_ISSUER/);
    expect(() => loadAuthConfig({ DATABASE_URL: 'mysql://x' })).toThrow(/DATABASE_URL/);
    expect(() => loadAuthConfig({ REDIS_URL: 'http://redis' })).toThrow(/REDIS_URL/);
    expect(() => loadAuthConfig({ RATE_LIMIT_LOGIN: '0' })).toThrow(/RATE_LIMIT_LOGIN/);
    expect(() => loadAuthConfig({ RATE_LIMIT_WINDOW_MS: 'soon' })).toThrow(/RATE_LIMIT_WINDOW_MS/);
    expect(() => loadAuthConfig({ SESSION_TTL_S: '10' })).toThrow(/SESSION_TTL_S/);
    expect(() => loadAuthConfig({ SESSION_TTL_S: 'ten' })).toThrow(/SESSION_TTL_S/);
  });
});
