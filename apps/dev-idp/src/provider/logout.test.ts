/** RP-initiated logout, its back-channel logout token, and what ends with the session. */
import { createRemoteJWKSet, decodeJwt, jwtVerify } from 'jose';
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { basic, get, pkce, post, SHELL_SECRET, useTestIdp } from './fixture.ts';

const t = useTestIdp();

describe('logout', () => {
  it('ends the session with id_token_hint, redirects back and tells the Shell on the back channel', async () => {
    const { code, verifier, jar } = await t.signIn('alice', 'demo-alice');
    const tokens = (await (await t.exchangeCode(code, verifier)).json()) as Record<string, string>;
    const sid = decodeJwt(tokens.id_token!).sid;
    const introspect = async () =>
      (await (
        await post(
          t.discovery.introspection_endpoint,
          { token: tokens.access_token! },
          { headers: basic('afenda-shell', SHELL_SECRET) },
        )
      ).json()) as Record<string, unknown>;
    expect(await introspect()).toMatchObject({ active: true, sid, client_id: 'afenda-shell' });
    const userinfo = await fetch(t.discovery.userinfo_endpoint, {
      headers: { authorization: `Bearer ${tokens.access_token}`, origin: 'http://localhost:3000' },
    });
    expect(userinfo.status).toBe(200);
    expect(userinfo.headers.get('access-control-allow-origin')).toBe('http://localhost:3000');

    const refused = await get(
      `${t.discovery.end_session_endpoint}?${new URLSearchParams({
        id_token_hint: tokens.id_token!,
        post_logout_redirect_uri: 'http://evil.example/',
      })}`,
      jar,
    );
    expect(refused.status).toBe(400);

    const before = t.backchannel.tokens.length;
    const page = await get(
      `${t.discovery.end_session_endpoint}?${new URLSearchParams({
        id_token_hint: tokens.id_token!,
        post_logout_redirect_uri: 'http://localhost:3000/signed-out',
        client_id: 'afenda-shell',
        state: 'bye',
      })}`,
      jar,
    );
    expect(page.status).toBe(200);
    const html = await page.text();
    const action = /<form id="op.logoutForm" method="post" action="([^"]+)"/.exec(html)?.[1] ?? '';
    const xsrf = /name="xsrf" value="([^"]+)"/.exec(html)?.[1] ?? '';
    expect(html).toContain('name="logout" value="yes"');
    // It submits itself (the client proved itself with id_token_hint), allowed by the page's CSP.
    const script = /<script>([^<]+)<\/script>/.exec(html)?.[1] ?? '';
    const hash = createHash('sha256').update(script).digest('base64');
    expect(page.headers.get('content-security-policy')).toContain(`script-src 'sha256-${hash}'`);
    const confirmed = await post(t.absolute(action), { xsrf, logout: 'yes' }, { jar });
    expect(confirmed.status).toBe(303);
    expect(confirmed.headers.get('location')).toBe('http://localhost:3000/signed-out?state=bye');

    expect(t.backchannel.tokens.length).toBe(before + 1);
    const jwks = createRemoteJWKSet(new URL(t.discovery.jwks_uri));
    const { payload } = await jwtVerify(t.backchannel.tokens.at(-1)!, jwks, {
      issuer: t.idp.issuer,
      audience: 'afenda-shell',
    });
    expect(payload).toMatchObject({
      sub: t.alice.id,
      sid,
      typ: 'Logout',
      events: { 'http://schemas.openid.net/event/backchannel-logout': {} },
    });

    // The session's tokens are over.
    const refreshed = await post(
      t.discovery.token_endpoint,
      { grant_type: 'refresh_token', refresh_token: tokens.refresh_token! },
      { headers: basic('afenda-shell', SHELL_SECRET) },
    );
    expect(refreshed.status).toBe(400);
    expect(await introspect()).toEqual({ active: false });

    // And the browser has to sign in again.
    const again = await get(
      t.authorizeUrl({ code_challenge: pkce().challenge, code_challenge_method: 'S256' }),
      jar,
    );
    expect(new URL(t.absolute(again.headers.get('location'))).pathname).toMatch(/\/login\//);
  });
});
