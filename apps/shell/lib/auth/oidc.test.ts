/**
 * The sign-in library against the development OpenID provider (apps/dev-idp, Keycloak's
 * behaviour): the code flow with PKCE through its login form, refresh, RP-initiated logout and
 * the back-channel logout token it sends, plus hand-signed logout tokens with its key.
 */
import { startDevIdp, type RunningDevIdp } from '@afenda/dev-idp';
import { decodeJwt, importJWK, SignJWT, generateKeyPair, type JWK, type JWTPayload } from 'jose';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { startLogoutReceiver, type LogoutReceiver } from '@afenda/test-utils/logout-receiver';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import {
  BACKCHANNEL_LOGOUT_EVENT,
  getProviderKeys,
  LogoutTokenError,
  verifyLogoutToken,
} from './backchannel';
import { loadAuthConfig, type AuthConfig } from './config';
import {
  completeLogin,
  endSessionUrl,
  getOidcConfiguration,
  isProviderRefusal,
  refreshSession,
  startLogin,
  type LoginState,
} from './oidc';
import { newSessionId } from './session-data';
import { MemorySessionStore } from './memory-session-store';
import { loadSession } from './sessions';

const REALM_FILE = fileURLToPath(
  new URL('../../../../deploy/keycloak/realm-afenda.json', import.meta.url),
);

let dir: string;
let keysFile: string;
let idp: RunningDevIdp;
let config: AuthConfig;
let receiver: LogoutReceiver;
let aliceId: string;

/** A minimal cookie jar: name -> value (the provider checks names, not paths). */
class Jar {
  private readonly cookies = new Map<string, string>();
  take(res: Response): void {
    for (const line of res.headers.getSetCookie()) {
      const [pair = ''] = line.split(';');
      const i = pair.indexOf('=');
      const name = pair.slice(0, i).trim();
      const value = pair.slice(i + 1).trim();
      if (!value || /expires=Thu, 01 Jan 1970/i.test(line)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }
  header(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }
}

async function get(url: string, jar: Jar): Promise<Response> {
  const res = await fetch(url, { redirect: 'manual', headers: { cookie: jar.header() } });
  jar.take(res);
  return res;
}

async function post(url: string, form: Record<string, string>, jar: Jar): Promise<Response> {
  const res = await fetch(url, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: jar.header() },
    body: new URLSearchParams(form),
  });
  jar.take(res);
  return res;
}

const absolute = (location: string | null) => new URL(location ?? '', idp.url).href;

/** What a browser does between /auth/login and /auth/callback. */
async function signIn(username: string, password: string, jar = new Jar()) {
  const { url, login } = await startLogin(config, '/app/somewhere?x=1');
  const start = await get(url.href, jar);
  expect(start.status).toBe(303);
  const loginUrl = absolute(start.headers.get('location'));
  const form = await get(loginUrl, jar);
  const action = /<form method="post" action="([^"]+)"/.exec(await form.text())?.[1] ?? '';
  const done = await post(absolute(action), { username, password }, jar);
  expect(done.status).toBe(303);
  const resume = await get(absolute(done.headers.get('location')), jar);
  expect(resume.status).toBe(303);
  return { url, login, callback: new URL(resume.headers.get('location') ?? ''), jar };
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'afenda-shell-oidc-'));
  keysFile = path.join(dir, 'keys', 'jwks.json');
  receiver = await startLogoutReceiver();
  const realm = JSON.parse(await readFile(REALM_FILE, 'utf8')) as {
    clients: { clientId: string; attributes?: Record<string, string> }[];
    users: { id: string; username: string }[];
  };
  const shell = realm.clients.find((c) => c.clientId === 'afenda-shell')!;
  shell.attributes = {
    ...shell.attributes,
    'backchannel.logout.url': receiver.url,
  };
  aliceId = realm.users.find((u) => u.username === 'alice')!.id;
  const realmFile = path.join(dir, 'realm.json');
  await writeFile(realmFile, JSON.stringify(realm));
  idp = await startDevIdp({ port: 0, realmFile, keysFile, env: {} });
  config = loadAuthConfig({ OIDC_ISSUER: idp.issuer, SESSION_TTL_S: '3600' });
});

afterAll(async () => {
  await idp?.close();
  await receiver?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('sign-in (authorization code with PKCE)', () => {
  it('discovers the provider once and asks for a code with S256, state and nonce', async () => {
    expect(await getOidcConfiguration(config)).toBe(await getOidcConfiguration(config));
    const { url, login } = await startLogin(config, '/app');
    expect(`${url.origin}${url.pathname}`).toBe(`${idp.issuer}/protocol/openid-connect/auth`);
    const p = url.searchParams;
    expect(p.get('client_id')).toBe('afenda-shell');
    expect(p.get('response_type')).toBe('code');
    expect(p.get('redirect_uri')).toBe('http://localhost:3000/auth/callback');
    expect(p.get('scope')).toBe('openid profile email');
    expect(p.get('code_challenge_method')).toBe('S256');
    expect(p.get('code_challenge')).toMatch(/^[\w-]{43}$/);
    expect(p.get('code_challenge')).not.toBe(login.codeVerifier);
    expect(p.get('state')).toBe(login.state);
    expect(p.get('nonce')).toBe(login.nonce);
    expect(login.returnTo).toBe('/app');
  });

  it('exchanges the code and builds the session from the ID token', async () => {
    const before = Date.now();
    const { callback, login } = await signIn('alice', 'demo-alice');
    const data = await completeLogin(config, callback, login);
    expect(data).toMatchObject({
      subject: aliceId,
      username: 'alice',
      name: 'Alice Nguyen',
      email: expect.stringContaining('@'),
      accessToken: expect.any(String),
      refreshToken: expect.any(String),
      idToken: expect.any(String),
    });
    expect(data.sid).toBe(decodeJwt(data.idToken!).sid);
    expect(decodeJwt(data.accessToken).aud).toContain('afenda-orchestrator');
    expect(data.accessTokenExpiresAt).toBeGreaterThanOrEqual(before + 299_000);
    expect(data.accessTokenExpiresAt).toBeLessThanOrEqual(Date.now() + 300_000);
  });

  it('refuses a callback whose state is not the one it sent', async () => {
    const { callback, login } = await signIn('alice', 'demo-alice');
    await expect(completeLogin(config, callback, { ...login, state: 'forged' })).rejects.toThrow();
  });

  it('refuses the code without the right PKCE verifier (the provider says invalid_grant)', async () => {
    const { callback, login } = await signIn('alice', 'demo-alice');
    const other: LoginState = { ...login, codeVerifier: 'x'.repeat(43) };
    const err = await completeLogin(config, callback, other).catch((e: unknown) => e);
    expect(isProviderRefusal(err)).toBe(true);
  });
});

describe('refresh', () => {
  it('renews the tokens (rotating the refresh token) and keeps who it is', async () => {
    const { callback, login } = await signIn('alice', 'demo-alice');
    const data = await completeLogin(config, callback, login);
    const renewed = await refreshSession(config, data);
    expect(renewed.accessToken).not.toBe(data.accessToken);
    expect(renewed.refreshToken).not.toBe(data.refreshToken);
    expect(renewed.subject).toBe(data.subject);
    expect(renewed.sid).toBe(data.sid);
    expect(renewed.createdAt).toBe(data.createdAt);
  });

  it('happens when a stored session is read within 60 s of expiry', async () => {
    const { callback, login } = await signIn('alice', 'demo-alice');
    const data = await completeLogin(config, callback, login);
    const store = new MemorySessionStore();
    const id = newSessionId();
    await store.set(id, { ...data, accessTokenExpiresAt: Date.now() + 30_000 }, 3600);
    const loaded = await loadSession({ config, store }, id);
    expect(loaded?.accessToken).not.toBe(data.accessToken);
    expect((await store.get(id))?.accessToken).toBe(loaded?.accessToken);
  });
});

describe('logout', () => {
  it('ends the provider session (RP-initiated) and verifies the back-channel logout token', async () => {
    const { callback, login, jar } = await signIn('alice', 'demo-alice');
    const data = await completeLogin(config, callback, login);
    const store = new MemorySessionStore();
    const id = newSessionId();
    await store.set(id, { ...data, accessTokenExpiresAt: Date.now() }, 3600);

    const url = await endSessionUrl(config, data.idToken);
    expect(url.searchParams.get('id_token_hint')).toBe(data.idToken);
    expect(url.searchParams.get('post_logout_redirect_uri')).toBe('http://localhost:3000/');
    expect(url.searchParams.get('client_id')).toBe('afenda-shell');

    // The provider's page submits itself (id_token_hint); do what the browser does.
    const page = await get(url.href, jar);
    expect(page.status).toBe(200);
    const html = await page.text();
    const action = /<form id="op.logoutForm" method="post" action="([^"]+)"/.exec(html)?.[1] ?? '';
    const xsrf = /name="xsrf" value="([^"]+)"/.exec(html)?.[1] ?? '';
    const before = receiver.tokens.length;
    const done = await post(absolute(action), { xsrf, logout: 'yes' }, jar);
    expect(done.status).toBe(303);
    expect(done.headers.get('location')).toBe('http://localhost:3000/');

    expect(receiver.tokens.length).toBe(before + 1);
    const claims = await verifyLogoutToken(receiver.tokens.at(-1)!, {
      issuer: config.issuer,
      clientId: config.clientId,
      keys: await getProviderKeys(config),
    });
    expect(claims).toMatchObject({ sid: data.sid, sub: aliceId });
    expect(await store.deleteByKeycloakSid(claims.sid!)).toBe(1);

    // And what the provider ended can't be refreshed any more: the session ends here too.
    await store.set(id, { ...data, accessTokenExpiresAt: Date.now() }, 3600);
    expect(await loadSession({ config, store }, id)).toBeNull();
  });

  it('asks the person to confirm when there is no ID token to hint with', async () => {
    const url = await endSessionUrl(config, null);
    expect(url.searchParams.has('id_token_hint')).toBe(false);
    expect(url.searchParams.get('client_id')).toBe('afenda-shell');
  });
});

describe('logout tokens signed with the provider key', () => {
  let signingKey: CryptoKey | Uint8Array;
  let kid: string;

  beforeAll(async () => {
    const jwk = (
      JSON.parse(await readFile(keysFile, 'utf8')) as { keys: (JWK & { kid: string })[] }
    ).keys[0]!;
    kid = jwk.kid;
    signingKey = await importJWK(jwk, 'RS256');
  });

  const verify = async (token: string) =>
    verifyLogoutToken(token, {
      issuer: config.issuer,
      clientId: config.clientId,
      keys: await getProviderKeys(config),
    });

  async function mint(
    claims: JWTPayload & Record<string, unknown>,
    options: { key?: CryptoKey | Uint8Array; alg?: string; iat?: number } = {},
  ): Promise<string> {
    const jwt = new SignJWT({
      iss: config.issuer,
      aud: config.clientId,
      events: { [BACKCHANNEL_LOGOUT_EVENT]: {} },
      sid: 'sid-hand-signed',
      sub: aliceId,
      jti: 'jti-1',
      typ: 'Logout',
      ...claims,
    })
      .setProtectedHeader({ alg: options.alg ?? 'RS256', kid, typ: 'logout+jwt' })
      .setIssuedAt(options.iat);
    if (claims.exp === undefined) jwt.setExpirationTime('2m');
    return jwt.sign(options.key ?? signingKey);
  }

  it('accepts a well-formed token', async () => {
    expect(await verify(await mint({}))).toEqual({
      sid: 'sid-hand-signed',
      sub: aliceId,
      jti: 'jti-1',
    });
    expect(await verify(await mint({ sid: undefined }))).toEqual({ sub: aliceId, jti: 'jti-1' });
  });

  it.each([
    ['another audience', { aud: 'afenda-orchestrator' }, /aud/],
    ['another issuer', { iss: 'http://evil.example/realms/afenda' }, /iss/],
    ['no events claim', { events: undefined }, /back-channel logout event/],
    ['another event', { events: { 'urn:other': {} } }, /back-channel logout event/],
    ['a nonce', { nonce: 'n-1' }, /nonce/],
    ['neither sid nor sub', { sid: undefined, sub: undefined }, /neither sid nor sub/],
  ])('refuses a token with %s', async (_name, claims, message) => {
    const err = await verify(await mint(claims)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LogoutTokenError);
    expect((err as Error).message).toMatch(message);
  });

  it('refuses a token issued too long ago', async () => {
    const err = await verify(
      await mint(
        { exp: Math.floor(Date.now() / 1000) + 60 },
        { iat: Math.floor(Date.now() / 1000) - 600 },
      ),
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LogoutTokenError);
    expect((err as Error).message).toMatch(/iat/);
  });

  it('refuses a bad signature, another key, and symmetric algorithms', async () => {
    const token = await mint({});
    const [h, p, s] = token.split('.');
    const flipped = `${h}.${p}.${s!.slice(0, -4)}${s!.slice(-4) === 'AAAA' ? 'BBBB' : 'AAAA'}`;
    await expect(verify(flipped)).rejects.toBeInstanceOf(LogoutTokenError);

    const { privateKey } = await generateKeyPair('RS256');
    await expect(verify(await mint({}, { key: privateKey }))).rejects.toBeInstanceOf(
      LogoutTokenError,
    );

    const hmac = await mint({}, { alg: 'HS256', key: new TextEncoder().encode('x'.repeat(32)) });
    await expect(verify(hmac)).rejects.toBeInstanceOf(LogoutTokenError);

    const none = `${Buffer.from(JSON.stringify({ alg: 'none', kid })).toString('base64url')}.${p}.`;
    await expect(verify(none)).rejects.toBeInstanceOf(LogoutTokenError);
  });

  it('refuses an ID token passed off as a logout token', async () => {
    const { callback, login } = await signIn('alice', 'demo-alice');
    const data = await completeLogin(config, callback, login);
    await expect(verify(data.idToken!)).rejects.toBeInstanceOf(LogoutTokenError);
  });
});
