/** Discovery and keys: what clients read to find the provider and check its tokens. */
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { startDevIdp } from '../provider.ts';
import { useTestIdp } from './fixture.ts';

const t = useTestIdp();

describe('discovery and keys', () => {
  it("publishes Keycloak's issuer and endpoint layout", () => {
    const realmUrl = `${t.idp.url}/realms/afenda`;
    expect(t.idp.issuer).toBe(realmUrl);
    expect(t.discovery).toMatchObject({
      issuer: realmUrl,
      authorization_endpoint: `${realmUrl}/protocol/openid-connect/auth`,
      token_endpoint: `${realmUrl}/protocol/openid-connect/token`,
      jwks_uri: `${realmUrl}/protocol/openid-connect/certs`,
      userinfo_endpoint: `${realmUrl}/protocol/openid-connect/userinfo`,
      end_session_endpoint: `${realmUrl}/protocol/openid-connect/logout`,
      revocation_endpoint: `${realmUrl}/protocol/openid-connect/revoke`,
      introspection_endpoint: `${realmUrl}/protocol/openid-connect/token/introspect`,
      backchannel_logout_supported: true,
      backchannel_logout_session_supported: true,
    });
    expect(t.discovery.code_challenge_methods_supported).toContain('S256');
    expect(t.discovery.grant_types_supported).toEqual(
      expect.arrayContaining(['authorization_code', 'refresh_token', 'password']),
    );
    expect(t.discovery.id_token_signing_alg_values_supported).toContain('RS256');
    expect(t.discovery.scopes_supported).toEqual(
      expect.arrayContaining(['openid', 'profile', 'email']),
    );
  });

  it('publishes one RS256 signing key, public half only', async () => {
    const res = await fetch(t.discovery.jwks_uri);
    expect(res.status).toBe(200);
    const { keys } = (await res.json()) as { keys: Record<string, string>[] };
    expect(keys).toHaveLength(1);
    expect(keys[0]).toMatchObject({
      kty: 'RSA',
      alg: 'RS256',
      use: 'sig',
      kid: t.idp.signingKey.kid,
    });
    expect(keys[0]).not.toHaveProperty('d');
  });

  it("answers Keycloak's realm info at /realms/afenda", async () => {
    const info = (await (await fetch(t.idp.issuer)).json()) as Record<string, unknown>;
    expect(info).toMatchObject({
      realm: 'afenda',
      'token-service': `${t.idp.issuer}/protocol/openid-connect`,
    });
    expect(typeof info.public_key).toBe('string');
  });

  it('keeps the signing key file private and reuses it after a restart', async () => {
    expect((await stat(t.keysFile)).mode & 0o777).toBe(0o600);
    const again = await startDevIdp({
      port: 0,
      realmFile: t.realmFile,
      keysFile: t.keysFile,
      env: {},
    });
    try {
      expect(again.signingKey).toEqual({ kid: t.idp.signingKey.kid, source: 'read' });
      const { keys } = (await (
        await fetch(`${again.issuer}/protocol/openid-connect/certs`)
      ).json()) as {
        keys: { kid: string }[];
      };
      expect(keys.map((k) => k.kid)).toEqual([t.idp.signingKey.kid]);
    } finally {
      await again.close();
    }
    const other = await startDevIdp({
      port: 0,
      realmFile: t.realmFile,
      keysFile: path.join(t.dir, 'other.json'),
      env: {},
    });
    try {
      expect(other.signingKey.kid).not.toBe(t.idp.signingKey.kid);
    } finally {
      await other.close();
    }
  });
});
