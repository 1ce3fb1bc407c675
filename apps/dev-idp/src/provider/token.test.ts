/** The token endpoint: the password grant, refresh, and Keycloak's response fields. */
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { describe, expect, it } from 'vitest';
import { basic, post, SHELL_SECRET, useTestIdp } from './fixture.ts';

const t = useTestIdp();

describe('password grant (direct access grants)', () => {
  it('issues alice a Keycloak-shaped access token that verifies against the JWKS', async () => {
    const started = performance.now();
    const res = await t.passwordGrant({
      client_id: 'afenda-test',
      username: 'alice',
      password: 'demo-alice',
      scope: 'openid',
    });
    const elapsed = performance.now() - started;
    expect(res.status).toBe(200);
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ token_type: 'Bearer', expires_in: 300, 'not-before-policy': 0 });
    expect(typeof body.refresh_token).toBe('string');
    expect(typeof body.id_token).toBe('string');
    expect(elapsed).toBeLessThan(2_000);

    const token = body.access_token as string;
    expect(decodeProtectedHeader(token)).toMatchObject({
      alg: 'RS256',
      typ: 'JWT',
      kid: t.idp.signingKey.kid,
    });
    const claims = await t.verifyAccessToken(token);
    expect(claims).toMatchObject({
      iss: t.idp.issuer,
      sub: t.alice.id,
      azp: 'afenda-test',
      typ: 'Bearer',
      preferred_username: 'alice',
      email: 'alice@acme.example',
      email_verified: true,
      name: 'Alice Nguyen',
      given_name: 'Alice',
      family_name: 'Nguyen',
      groups: ['/acme/support'],
      realm_access: {
        roles: ['default-roles-afenda', 'offline_access', 'uma_authorization', 'afenda-user'],
      },
    });
    expect(claims.aud).toEqual(['afenda-orchestrator']);
    expect(claims.exp! - claims.iat!).toBe(300);
    expect(typeof claims.jti).toBe('string');
    expect(typeof claims.sid).toBe('string');
    expect(body.session_state).toBe(claims.sid);
    expect(String(claims.scope).split(' ')).toEqual(
      expect.arrayContaining(['openid', 'profile', 'email']),
    );
    expect(claims).not.toHaveProperty('client_id');

    const id = decodeJwt(body.id_token as string);
    expect(id).toMatchObject({
      iss: t.idp.issuer,
      aud: 'afenda-test',
      sub: t.alice.id,
      typ: 'ID',
      groups: ['/acme/support'],
      sid: claims.sid,
    });
  });

  it('gives no ID token without the openid scope, and still the default profile claims', async () => {
    const res = await t.passwordGrant({
      client_id: 'afenda-test',
      username: 'Alice',
      password: 'demo-alice',
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as Record<string, string>;
    expect(body.id_token).toBeUndefined();
    const claims = await t.verifyAccessToken(body.access_token!);
    expect(claims.scope).toBe('profile email');
    expect(claims.preferred_username).toBe('alice');
  });

  it('refuses a wrong password, a disabled user and an unknown user alike', async () => {
    for (const [username, password] of [
      ['alice', 'wrong'],
      ['dora', 'demo-dora'],
      ['nobody', 'demo-alice'],
    ]) {
      const res = await t.passwordGrant({
        client_id: 'afenda-test',
        username: username!,
        password: password!,
      });
      expect(res.status).toBe(400);
      expect(await res.json()).toEqual({
        error: 'invalid_grant',
        error_description: 'Invalid user credentials',
      });
    }
  });

  it('is refused to clients without direct access grants', async () => {
    const shell = await t.passwordGrant(
      { username: 'alice', password: 'demo-alice' },
      basic('afenda-shell', SHELL_SECRET),
    );
    expect(shell.status).toBe(400);
    expect(await shell.json()).toMatchObject({ error: 'unauthorized_client' });
    const orchestrator = await t.passwordGrant(
      { username: 'alice', password: 'demo-alice' },
      basic('afenda-orchestrator', 'afenda-orchestrator-dev-secret'),
    );
    expect(orchestrator.status).toBe(400);
    expect(await orchestrator.json()).toMatchObject({ error: 'unauthorized_client' });
    const wrongSecret = await t.passwordGrant(
      { username: 'alice', password: 'demo-alice' },
      basic('afenda-shell', 'nope'),
    );
    expect(wrongSecret.status).toBe(401);
  });

  it('refreshes: a new access token, a rotated refresh token, and the old one refused', async () => {
    const first = await t.aliceTokens();
    const res = await post(t.discovery.token_endpoint, {
      grant_type: 'refresh_token',
      client_id: 'afenda-test',
      refresh_token: first.refresh_token!,
    });
    expect(res.status).toBe(200);
    const second = (await res.json()) as Record<string, string>;
    expect(second.access_token).not.toBe(first.access_token);
    expect(second.refresh_token).not.toBe(first.refresh_token);
    const claims = await t.verifyAccessToken(second.access_token!);
    expect(claims).toMatchObject({
      sub: t.alice.id,
      azp: 'afenda-test',
      groups: ['/acme/support'],
    });
    expect(claims.sid).toBe(decodeJwt(first.access_token!).sid);

    const reused = await post(t.discovery.token_endpoint, {
      grant_type: 'refresh_token',
      client_id: 'afenda-test',
      refresh_token: first.refresh_token!,
    });
    expect(reused.status).toBe(400);
    expect(await reused.json()).toMatchObject({ error: 'invalid_grant' });
  });
});
