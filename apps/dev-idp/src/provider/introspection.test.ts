/** Introspection, UserInfo and revocation of the tokens the provider issued. */
import { describe, expect, it } from 'vitest';
import { basic, post, SHELL_SECRET, useTestIdp } from './fixture.ts';

const t = useTestIdp();

describe('introspection, UserInfo and revocation', () => {
  it('introspects, serves userinfo for, and revokes its tokens', async () => {
    const tokens = await t.aliceTokens();
    const introspect = async (token: string) =>
      (await (
        await post(
          t.discovery.introspection_endpoint,
          { token },
          { headers: basic('afenda-shell', SHELL_SECRET) },
        )
      ).json()) as Record<string, unknown>;

    expect(await introspect(tokens.access_token!)).toMatchObject({
      active: true,
      sub: t.alice.id,
      client_id: 'afenda-test',
      username: 'alice',
      token_type: 'Bearer',
      groups: ['/acme/support'],
    });
    expect(await introspect(tokens.refresh_token!)).toMatchObject({
      active: true,
      typ: 'Refresh',
      sub: t.alice.id,
    });
    expect(await introspect('not-a-token')).toEqual({ active: false });

    const publicIntrospection = await post(t.discovery.introspection_endpoint, {
      token: tokens.access_token!,
      client_id: 'afenda-test',
    });
    expect(publicIntrospection.status).toBe(401);

    const info = await fetch(t.discovery.userinfo_endpoint, {
      headers: { authorization: `Bearer ${tokens.access_token}` },
    });
    expect(info.status).toBe(200);
    expect(await info.json()).toEqual({
      sub: t.alice.id,
      email_verified: true,
      name: 'Alice Nguyen',
      preferred_username: 'alice',
      given_name: 'Alice',
      family_name: 'Nguyen',
      email: 'alice@acme.example',
      groups: ['/acme/support'],
    });
    const anonymous = await fetch(t.discovery.userinfo_endpoint);
    expect(anonymous.status).toBe(401);

    const revoked = await post(t.discovery.revocation_endpoint, {
      token: tokens.refresh_token!,
      client_id: 'afenda-test',
    });
    expect(revoked.status).toBe(200);
    // Revoking the refresh token ends the grant, and with it the access token.
    expect(await introspect(tokens.refresh_token!)).toEqual({ active: false });
    expect(await introspect(tokens.access_token!)).toEqual({ active: false });
    const after = await fetch(t.discovery.userinfo_endpoint, {
      headers: { authorization: `Bearer ${tokens.access_token}` },
    });
    expect(after.status).toBe(401);
  });
});
