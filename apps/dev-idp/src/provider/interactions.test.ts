/** The browser's code flow through the login form, with PKCE and single sign-on. */
import { decodeJwt } from 'jose';
import { describe, expect, it } from 'vitest';
import { Jar, get, pkce, post, REDIRECT_URI, SHELL_SECRET, useTestIdp } from './fixture.ts';

const t = useTestIdp();

describe('authorization code flow', () => {
  it('signs alice in through the login form with PKCE and exchanges the code with the client secret', async () => {
    const jar = new Jar();
    // A wrong password first: the form comes back with the error and the username kept.
    const loginUrl = await t.loginFormUrl(jar);
    const wrong = await post(loginUrl, { username: 'alice', password: 'nope' }, { jar });
    expect(wrong.status).toBe(200);
    const wrongHtml = await wrong.text();
    expect(wrongHtml).toContain('Invalid username or password.');
    expect(wrongHtml).toContain('value="alice"');
    const disabled = await post(loginUrl, { username: 'dora', password: 'demo-dora' }, { jar });
    expect(await disabled.text()).toContain('Invalid username or password.');
    const crossSite = await post(
      loginUrl,
      { username: 'alice', password: 'demo-alice' },
      { jar, headers: { origin: 'http://evil.example' } },
    );
    expect(crossSite.status).toBe(403);

    const { code, verifier } = await t.signIn('alice', 'demo-alice', jar);
    const res = await t.exchangeCode(code, verifier);
    expect(res.status).toBe(200);
    const tokens = (await res.json()) as Record<string, string>;
    expect(typeof tokens.refresh_token).toBe('string');
    const claims = await t.verifyAccessToken(tokens.access_token!);
    expect(claims).toMatchObject({
      sub: t.alice.id,
      azp: 'afenda-shell',
      typ: 'Bearer',
      groups: ['/acme/support'],
      preferred_username: 'alice',
      'allowed-origins': ['http://localhost:3000', 'http://127.0.0.1:3000'],
    });
    expect(typeof claims.auth_time).toBe('number');
    expect(String(claims.scope).split(' ')).toEqual(
      expect.arrayContaining(['openid', 'profile', 'email']),
    );

    const id = decodeJwt(tokens.id_token!);
    expect(id).toMatchObject({
      iss: t.idp.issuer,
      aud: 'afenda-shell',
      azp: 'afenda-shell',
      sub: t.alice.id,
      groups: ['/acme/support'],
      preferred_username: 'alice',
      email: 'alice@acme.example',
      sid: claims.sid,
      auth_time: claims.auth_time,
    });

    // Single sign-on: a second request goes straight back with a code; client_secret_post works too.
    const second = pkce();
    const sso = await get(
      t.authorizeUrl({ code_challenge: second.challenge, code_challenge_method: 'S256' }),
      jar,
    );
    expect(sso.status).toBe(303);
    const ssoCode = new URL(sso.headers.get('location') ?? '').searchParams.get('code');
    expect(ssoCode).toBeTruthy();
    const exchanged = await post(t.discovery.token_endpoint, {
      grant_type: 'authorization_code',
      code: ssoCode!,
      redirect_uri: REDIRECT_URI,
      code_verifier: second.verifier,
      client_id: 'afenda-shell',
      client_secret: SHELL_SECRET,
    });
    expect(exchanged.status).toBe(200);
  });

  it('requires PKCE of afenda-shell, and the verifier at the token endpoint', async () => {
    const missing = await get(t.authorizeUrl({}));
    expect(missing.status).toBe(303);
    const back = new URL(missing.headers.get('location') ?? '');
    expect(`${back.origin}${back.pathname}`).toBe(REDIRECT_URI);
    expect(back.searchParams.get('error')).toBe('invalid_request');

    const { code } = await t.signIn('alice', 'demo-alice');
    const res = await t.exchangeCode(code, pkce().verifier);
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: 'invalid_grant' });
  });

  it('refuses an unregistered redirect URI without redirecting to it', async () => {
    const res = await get(
      t.authorizeUrl({
        redirect_uri: 'http://evil.example/cb',
        code_challenge: pkce().challenge,
        code_challenge_method: 'S256',
      }),
    );
    expect(res.status).toBe(400);
    expect(res.headers.get('location')).toBeNull();
  });
});
