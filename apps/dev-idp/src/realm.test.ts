import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  accessTokenClaims,
  authenticate,
  checkPassword,
  findClient,
  findUser,
  loadRealm,
  matchesUriPattern,
  parseRealm,
  RealmError,
  resolvePlaceholders,
} from './realm.ts';

const REALM_FILE = fileURLToPath(
  new URL('../../../deploy/keycloak/realm-afenda.json', import.meta.url),
);

describe('Keycloak placeholders', () => {
  it('resolves ${VAR:default}, ${VAR} and ${env.VAR} from the environment, defaults otherwise', () => {
    const env = { A: 'from-env' };
    expect(resolvePlaceholders('${A:fallback}', env)).toBe('from-env');
    expect(resolvePlaceholders('${B:fallback}', env)).toBe('fallback');
    expect(resolvePlaceholders('${env.A}', env)).toBe('from-env');
    expect(resolvePlaceholders('x-${A}-${B:}-y', env)).toBe('x-from-env--y');
    // Unresolvable without a default: left as written, like Keycloak.
    expect(resolvePlaceholders('${B}', env)).toBe('${B}');
  });
});

describe('the realm export', () => {
  it('loads deploy/keycloak/realm-afenda.json with its clients, users and secrets', async () => {
    const realm = await loadRealm(REALM_FILE, {});
    expect(realm.name).toBe('afenda');
    expect(realm.accessTokenLifespan).toBe(300);
    expect(realm.defaultRoles).toEqual(['afenda-user']);

    const shell = findClient(realm, 'afenda-shell');
    expect(shell).toMatchObject({
      publicClient: false,
      secret: 'afenda-shell-dev-secret',
      standardFlowEnabled: true,
      directAccessGrantsEnabled: false,
      pkceMethod: 'S256',
      backchannelLogoutUrl: 'http://localhost:3000/auth/backchannel-logout',
      backchannelLogoutSessionRequired: true,
      postLogoutRedirectUris: ['http://localhost:3000/*', 'http://127.0.0.1:3000/*'],
      webOrigins: ['http://localhost:3000', 'http://127.0.0.1:3000'],
      accessTokenAudiences: ['afenda-orchestrator'],
      groupsMapper: { claimName: 'groups', fullPath: true, idToken: true, accessToken: true },
    });
    expect(findClient(realm, 'afenda-orchestrator')).toMatchObject({
      secret: 'afenda-orchestrator-dev-secret',
      serviceAccountsEnabled: true,
    });
    // Synapse signs people in to Element through the realm (docs/chat.md, "One login").
    expect(findClient(realm, 'synapse')).toMatchObject({
      publicClient: false,
      secret: 'afenda-synapse-dev-secret',
      standardFlowEnabled: true,
      directAccessGrantsEnabled: false,
      serviceAccountsEnabled: false,
      redirectUris: [
        'http://127.0.0.1:8008/_synapse/client/oidc/callback',
        'http://localhost:8008/_synapse/client/oidc/callback',
      ],
    });
    expect(findClient(realm, 'afenda-test')).toMatchObject({
      publicClient: true,
      secret: undefined,
      directAccessGrantsEnabled: true,
      standardFlowEnabled: false,
    });

    // Service accounts are not people.
    expect(realm.users.map((u) => u.username)).not.toContain('service-account-afenda-orchestrator');
    expect(findUser(realm, 'alice')).toMatchObject({
      id: '5ebc2b8f-4a3d-5c00-90c5-21a97719f46d',
      email: 'alice@acme.example',
      groups: ['/acme/support'],
      enabled: true,
    });
  });

  it('takes client secrets from the environment when set', async () => {
    const realm = await loadRealm(REALM_FILE, { AFENDA_SHELL_CLIENT_SECRET: 's3cret' });
    expect(findClient(realm, 'afenda-shell')?.secret).toBe('s3cret');
  });

  it("points Synapse's callback at SYNAPSE_PUBLIC_BASEURL when set", async () => {
    const realm = await loadRealm(REALM_FILE, {
      AFENDA_SYNAPSE_CLIENT_SECRET: 'syn',
      SYNAPSE_PUBLIC_BASEURL: 'https://matrix.acme.example',
    });
    expect(findClient(realm, 'synapse')).toMatchObject({
      secret: 'syn',
      redirectUris: expect.arrayContaining([
        'https://matrix.acme.example/_synapse/client/oidc/callback',
      ]),
    });
  });

  it('names every problem of an unusable export', () => {
    const bad = {
      realm: 'afenda',
      groups: [{ name: 'acme', path: '/acme', subGroups: [] }],
      clients: [{ clientId: 'c', publicClient: false, secret: '${NOPE}' }],
      users: [
        { username: 'a', groups: ['/nowhere'] },
        { id: '1', username: 'b' },
        { id: '1', username: 'B' },
      ],
    };
    let error: unknown;
    try {
      parseRealm(bad, {});
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(RealmError);
    const message = (error as Error).message;
    expect(message).toContain('the secret placeholder ${NOPE} has no value');
    expect(message).toContain('user a: needs an "id"');
    expect(message).toContain('user a: is in group /nowhere');
    expect(message).toContain('username "b" appears more than once');
    expect(message).toContain('user id "1" appears more than once');
  });
});

describe('users and passwords', () => {
  const realm = parseRealm(
    {
      realm: 'r',
      defaultRoles: ['r-user'],
      groups: [{ name: 'g', path: '/g', subGroups: [{ name: 't', path: '/g/t' }] }],
      users: [
        {
          id: 'u1',
          username: 'Ann',
          email: 'Ann@Example.com',
          firstName: 'Ann',
          lastName: 'Lee',
          emailVerified: true,
          groups: ['/g/t'],
          realmRoles: ['extra'],
          credentials: [{ type: 'password', value: 'pw-ann' }],
        },
        {
          id: 'u2',
          username: 'off',
          enabled: false,
          credentials: [{ type: 'password', value: 'pw-off' }],
        },
        { id: 'u3', username: 'nopass' },
      ],
    },
    {},
  );

  it('finds users by username or e-mail, case-insensitively', () => {
    expect(findUser(realm, 'ann')?.id).toBe('u1');
    expect(findUser(realm, ' ANN ')?.id).toBe('u1');
    expect(findUser(realm, 'ann@example.com')?.id).toBe('u1');
    expect(findUser(realm, 'nobody')).toBeUndefined();
  });

  it('checks passwords, refusing users without one, disabled users and unknown users', () => {
    expect(checkPassword(findUser(realm, 'ann'), 'pw-ann')).toBe(true);
    expect(checkPassword(findUser(realm, 'ann'), 'pw-ann ')).toBe(false);
    expect(checkPassword(findUser(realm, 'nopass'), '')).toBe(false);
    expect(checkPassword(undefined, '')).toBe(false);
    expect(authenticate(realm, 'ann', 'pw-ann')?.id).toBe('u1');
    expect(authenticate(realm, 'ann', 'wrong')).toBeUndefined();
    expect(authenticate(realm, 'off', 'pw-off')).toBeUndefined();
    expect(authenticate(realm, 'ghost', 'pw-ann')).toBeUndefined();
  });

  it("gives a user Keycloak's access token claims", () => {
    const user = findUser(realm, 'ann')!;
    expect(accessTokenClaims(realm, user, undefined, 'some-client')).toEqual({
      typ: 'Bearer',
      azp: 'some-client',
      realm_access: {
        roles: ['default-roles-r', 'offline_access', 'uma_authorization', 'r-user', 'extra'],
      },
      preferred_username: 'ann',
      email: 'ann@example.com',
      email_verified: true,
      name: 'Ann Lee',
      given_name: 'Ann',
      family_name: 'Lee',
    });
  });
});

describe('redirect URI patterns', () => {
  it('matches exactly, or by prefix when the pattern ends in *', () => {
    const patterns = ['http://localhost:3000/*', 'http://127.0.0.1:3000/auth/callback'];
    expect(matchesUriPattern('http://localhost:3000/', patterns)).toBe(true);
    expect(matchesUriPattern('http://localhost:3000/signed-out?x=1', patterns)).toBe(true);
    expect(matchesUriPattern('http://127.0.0.1:3000/auth/callback', patterns)).toBe(true);
    expect(matchesUriPattern('http://127.0.0.1:3000/auth/callback2', patterns)).toBe(false);
    expect(matchesUriPattern('http://localhost:30000/', patterns)).toBe(false);
    expect(matchesUriPattern('http://localhost:3000@evil.example/', patterns)).toBe(false);
    expect(matchesUriPattern('javascript:alert(1)//http://localhost:3000/', patterns)).toBe(false);
  });
});

describe('the realm export', () => {
  it("keeps Keycloak's brute-force protection on, with no permanent lockout", async () => {
    const { readFile } = await import('node:fs/promises');
    const realm = JSON.parse(await readFile(REALM_FILE, 'utf8')) as Record<string, unknown>;
    expect(realm.bruteForceProtected).toBe(true);
    expect(realm.permanentLockout ?? false).toBe(false);
  });
});
