/**
 * Against a real Keycloak (scripts/keycloak.mjs: Maven Central distribution, start-dev, realm
 * deploy/keycloak/realm-afenda.json in memory, ~20 s to ready). Collected only with
 * TEST_KEYCLOAK=1 (the root Vitest config leaves *.keycloak.test.ts out otherwise); once
 * collected it fails, never skips, when Keycloak cannot start.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRemoteJWKSet, decodeJwt, jwtVerify, type JWTPayload } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  adminToken,
  clientCredentialsGrant,
  keycloakAdmin,
  KeycloakAdminError,
  passwordGrant,
  refreshGrant,
  startKeycloak,
  type KeycloakAdmin,
  type KeycloakServer,
} from './keycloak.ts';

interface RealmExport {
  users: Array<{ id?: string; username: string; groups?: string[] }>;
  clients: Array<{ clientId: string; secret?: string }>;
}
const realm = JSON.parse(
  readFileSync(new URL('../../../deploy/keycloak/realm-afenda.json', import.meta.url), 'utf8'),
) as RealmExport;

function exportedUserId(username: string): string {
  const id = realm.users.find((user) => user.username === username)?.id;
  if (!id) throw new Error(`no id for ${username} in the realm export`);
  return id;
}

const ORCHESTRATOR = 'afenda-orchestrator';
/** Set through the realm's ${AFENDA_ORCHESTRATOR_CLIENT_SECRET:...} placeholder at import. */
const orchestratorSecret = `test-${randomBytes(12).toString('hex')}`;
const shellSecret = `test-${randomBytes(12).toString('hex')}`;

describe('a real Keycloak with the afenda realm', () => {
  let kc: KeycloakServer;
  let jwks: ReturnType<typeof createRemoteJWKSet>;

  beforeAll(async () => {
    kc = await startKeycloak({
      // fail with Keycloak's log before the hook's own timeout
      timeoutMs: 150_000,
      env: {
        AFENDA_ORCHESTRATOR_CLIENT_SECRET: orchestratorSecret,
        AFENDA_SHELL_CLIENT_SECRET: shellSecret,
      },
    });
    jwks = createRemoteJWKSet(new URL(`${kc.issuer}/protocol/openid-connect/certs`));
  }, 180_000);

  afterAll(async () => {
    await kc?.stop();
  }, 60_000);

  async function verify(token: string): Promise<JWTPayload> {
    const { payload, protectedHeader } = await jwtVerify(token, jwks, {
      issuer: kc.issuer,
      audience: ORCHESTRATOR,
    });
    expect(protectedHeader.alg).toBe('RS256');
    return payload;
  }

  async function tokenOf(username: string): Promise<JWTPayload> {
    const tokens = await passwordGrant({
      issuer: kc.issuer,
      username,
      password: `demo-${username}`,
    });
    return verify(tokens.access_token);
  }

  async function admin(): Promise<KeycloakAdmin> {
    return keycloakAdmin(kc.url, await adminToken(kc.url, kc.admin));
  }

  it('serves the discovery document with the pinned issuer', async () => {
    const response = await fetch(`${kc.issuer}/.well-known/openid-configuration`);
    const discovery = (await response.json()) as Record<string, unknown>;
    expect(discovery.issuer).toBe(kc.issuer);
    expect(discovery.token_endpoint).toBe(`${kc.issuer}/protocol/openid-connect/token`);
    expect(discovery.grant_types_supported).toEqual(
      expect.arrayContaining(['password', 'client_credentials', 'refresh_token']),
    );
  });

  it("alice's password grant through afenda-test gives the claims the orchestrator reads", async () => {
    const tokens = await passwordGrant({
      issuer: kc.issuer,
      username: 'alice',
      password: 'demo-alice',
    });
    expect(tokens.token_type).toBe('Bearer');
    expect(tokens.refresh_token).toEqual(expect.any(String));
    const claims = await verify(tokens.access_token);
    expect(claims.iss).toBe(kc.issuer);
    expect([claims.aud].flat()).toContain(ORCHESTRATOR);
    expect(claims).toMatchObject({
      azp: 'afenda-test',
      typ: 'Bearer',
      sub: exportedUserId('alice'),
      preferred_username: 'alice',
      email: 'alice@acme.example',
      email_verified: true,
      name: 'Alice Nguyen',
      given_name: 'Alice',
      family_name: 'Nguyen',
      groups: ['/acme/support'],
    });
    // imported users get no default role unless the export lists it in their realmRoles
    expect(
      claims.realm_access,
      'realm_access: each user of the realm export needs "realmRoles": ["default-roles-afenda"]',
    ).toMatchObject({ roles: expect.arrayContaining(['afenda-user']) });

    // the id token is for the client itself, without the orchestrator audience
    expect(tokens.id_token).toEqual(expect.any(String));
    const id = decodeJwt(tokens.id_token ?? '');
    expect(id).toMatchObject({ iss: kc.issuer, aud: 'afenda-test', sub: exportedUserId('alice') });
    expect(id.groups).toEqual(['/acme/support']);
  });

  it("keeps the export's user ids and group paths (ada is an owner of acme)", async () => {
    const claims = await tokenOf('ada');
    expect(claims.sub).toBe(exportedUserId('ada'));
    expect(claims.groups).toEqual(['/acme/owners']);
    const arjun = await tokenOf('arjun');
    expect([...((arjun.groups as string[]) ?? [])].sort()).toEqual([
      '/acme/admins',
      '/acme/support',
    ]);
    expect((await tokenOf('gloria')).groups).toEqual(['/globex/owners']);
  });

  it('refuses a wrong password with invalid_grant', async () => {
    await expect(
      passwordGrant({ issuer: kc.issuer, username: 'alice', password: 'not-her-password' }),
    ).rejects.toMatchObject({ error: 'invalid_grant' }); // HTTP 401 on 26.5, 400 on 26.7
  });

  it('locks a user out after rapid wrong passwords (brute-force protection, on in the realm)', async () => {
    // Keycloak's quick-login check: two failures within a second lock the user for a minute,
    // and a locked user is told what a wrong password is told, the right password included.
    for (const password of ['guess-1', 'guess-2'])
      await expect(
        passwordGrant({ issuer: kc.issuer, username: 'gita', password }),
      ).rejects.toMatchObject({ error: 'invalid_grant' });
    await expect(
      passwordGrant({ issuer: kc.issuer, username: 'gita', password: 'demo-gita' }),
    ).rejects.toMatchObject({ error: 'invalid_grant' });
  });

  it('refuses the password grant for afenda-shell (direct access grants off)', async () => {
    await expect(
      passwordGrant({
        issuer: kc.issuer,
        clientId: 'afenda-shell',
        clientSecret: shellSecret,
        username: 'alice',
        password: 'demo-alice',
      }),
    ).rejects.toMatchObject({ error: 'unauthorized_client' });
  });

  it('gives the orchestrator a client_credentials token with the secret from the environment', async () => {
    const tokens = await clientCredentialsGrant({
      issuer: kc.issuer,
      clientId: ORCHESTRATOR,
      clientSecret: orchestratorSecret,
    });
    const claims = decodeJwt(tokens.access_token);
    expect(claims).toMatchObject({
      iss: kc.issuer,
      azp: ORCHESTRATOR,
      preferred_username: 'service-account-afenda-orchestrator',
    });
    expect(
      (claims.resource_access as Record<string, { roles: string[] }>)['realm-management']?.roles,
    ).toEqual(
      expect.arrayContaining([
        'view-users',
        'query-users',
        'query-groups',
        'view-events',
        'view-realm',
      ]),
    );
    // the placeholder's default is not the secret when the variable is set
    await expect(
      clientCredentialsGrant({
        issuer: kc.issuer,
        clientId: ORCHESTRATOR,
        clientSecret: 'afenda-orchestrator-dev-secret',
      }),
    ).rejects.toMatchObject({ error: 'unauthorized_client' });
  });

  it('lets the orchestrator service account read groups, children and members', async () => {
    const { access_token } = await clientCredentialsGrant({
      issuer: kc.issuer,
      clientId: ORCHESTRATOR,
      clientSecret: orchestratorSecret,
    });
    const api = keycloakAdmin(kc.url, access_token);

    const top = await api.groups({ briefRepresentation: false });
    expect(top.map((g) => g.path).sort()).toEqual(['/acme', '/globex']);
    const acme = top.find((g) => g.path === '/acme');
    expect(acme?.id).toBe('c06b043c-3d8f-56bf-9d90-c310099b6f2e');
    expect(acme?.attributes).toMatchObject({
      afenda_kind: ['organization'],
      slug: ['acme'],
      display_name: ['Acme Corp'],
    });
    expect(acme?.subGroupCount).toBe(6);

    const byPath = await api.groupByPath('/acme');
    expect(byPath.id).toBe(acme?.id);
    const children = await api.groupChildren(byPath.id, { briefRepresentation: false });
    expect(children.map((g) => g.path).sort()).toEqual([
      '/acme/admins',
      '/acme/approvers',
      '/acme/owners',
      '/acme/sales',
      '/acme/support',
      '/acme/viewers',
    ]);
    expect(children.find((g) => g.name === 'support')?.attributes?.afenda_kind).toEqual(['team']);
    expect(children.find((g) => g.name === 'owners')?.attributes).toMatchObject({
      afenda_kind: ['role'],
      afenda_role: ['owner'],
    });

    const support = await api.groupByPath('/acme/support');
    const members = await api.groupMembers(support.id);
    expect(members.map((u) => u.username).sort()).toEqual(['aaron', 'alice', 'arjun']);
    expect(members.find((u) => u.username === 'alice')?.id).toBe(exportedUserId('alice'));
    // direct members only: /acme itself has none
    expect(await api.groupMembers(byPath.id)).toEqual([]);

    // every human user of the export, with the export's ids; no service-account user
    const users = await api.users({ briefRepresentation: false, max: 100 });
    const exported = realm.users.filter((u) => !u.username.startsWith('service-account-'));
    expect(users.map((u) => `${u.username}=${u.id}`).sort()).toEqual(
      exported.map((u) => `${u.username}=${u.id}`).sort(),
    );

    // read-only roles: changing memberships is refused
    const alice = await api.findUser('alice');
    await expect(api.removeUserFromGroup(alice?.id ?? '', support.id)).rejects.toBeInstanceOf(
      KeycloakAdminError,
    );
    await expect(api.removeUserFromGroup(alice?.id ?? '', support.id)).rejects.toMatchObject({
      status: 403,
    });
  });

  it('shows a membership removed through the Admin API in the groups and in the next token', async () => {
    const api = await admin();
    const aaron = await api.findUser('aaron');
    expect(aaron?.id).toBe(exportedUserId('aaron'));
    const userId = aaron?.id ?? '';
    const support = await api.groupByPath('/acme/support');
    const sales = await api.groupByPath('/acme/sales');

    expect((await api.userGroups(userId)).map((g) => g.path)).toEqual(['/acme/support']);
    await api.removeUserFromGroup(userId, support.id);
    expect(await api.userGroups(userId)).toEqual([]);
    // no groups: Keycloak leaves the claim out (it does not send [])
    expect(await tokenOf('aaron')).not.toHaveProperty('groups');

    await api.addUserToGroup(userId, sales.id);
    expect((await api.userGroups(userId)).map((g) => g.path)).toEqual(['/acme/sales']);
    expect((await tokenOf('aaron')).groups).toEqual(['/acme/sales']);
  });

  it('refuses tokens to a disabled user, refresh included', async () => {
    const before = await passwordGrant({
      issuer: kc.issuer,
      username: 'amelia',
      password: 'demo-amelia',
    });
    const api = await admin();
    const amelia = await api.findUser('amelia');
    await api.disableUser(amelia?.id ?? '');
    const after = await api.getUser(amelia?.id ?? '');
    expect(after).toMatchObject({
      enabled: false,
      email: 'amelia@acme.example',
      firstName: 'Amelia',
    });

    await expect(
      passwordGrant({ issuer: kc.issuer, username: 'amelia', password: 'demo-amelia' }),
    ).rejects.toMatchObject({ error: 'invalid_grant' });
    await expect(
      refreshGrant({ issuer: kc.issuer, refreshToken: before.refresh_token ?? '' }),
    ).rejects.toMatchObject({ error: 'invalid_grant' });
  });
});
