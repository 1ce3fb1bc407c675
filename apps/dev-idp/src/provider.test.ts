import {
  createRemoteJWKSet,
  decodeJwt,
  decodeProtectedHeader,
  jwtVerify,
  type JWTPayload,
} from 'jose';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { startLogoutReceiver, type LogoutReceiver } from '@afenda/test-utils/logout-receiver';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDevIdp, type RunningDevIdp } from './provider.ts';

const REALM_FILE = fileURLToPath(
  new URL('../../../deploy/keycloak/realm-afenda.json', import.meta.url),
);
const SHELL_SECRET = 'afenda-shell-dev-secret';
const REDIRECT_URI = 'http://localhost:3000/auth/callback';

interface RealmJson {
  clients: { clientId: string; attributes?: Record<string, string> }[];
  users: { id?: string; username: string }[];
}

let dir: string;
let realmFile: string;
let keysFile: string;
let idp: RunningDevIdp;
interface Discovery {
  issuer: string;
  authorization_endpoint: string;
  token_endpoint: string;
  jwks_uri: string;
  userinfo_endpoint: string;
  end_session_endpoint: string;
  revocation_endpoint: string;
  introspection_endpoint: string;
  code_challenge_methods_supported: string[];
  grant_types_supported: string[];
  id_token_signing_alg_values_supported: string[];
  scopes_supported: string[];
}
let discovery: Discovery;
let alice: { id: string };
let backchannel: LogoutReceiver;

/** A minimal cookie jar: name -> value, whatever the path (the server checks the names). */
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

async function get(url: string, jar?: Jar): Promise<Response> {
  const res = await fetch(url, {
    redirect: 'manual',
    headers: jar ? { cookie: jar.header() } : {},
  });
  jar?.take(res);
  return res;
}

async function post(
  url: string,
  form: Record<string, string>,
  options: { jar?: Jar; headers?: Record<string, string> } = {},
): Promise<Response> {
  const res = await fetch(url, {
    method: 'POST',
    redirect: 'manual',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      ...(options.jar ? { cookie: options.jar.header() } : {}),
      ...options.headers,
    },
    body: new URLSearchParams(form),
  });
  options.jar?.take(res);
  return res;
}

const basic = (id: string, secret: string) => ({
  authorization: `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`,
});

const passwordGrant = (form: Record<string, string>, headers?: Record<string, string>) =>
  post(discovery.token_endpoint, { grant_type: 'password', ...form }, { headers });

const absolute = (location: string | null) => new URL(location ?? '', idp.url).href;

function pkce(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

function authorizeUrl(params: Record<string, string>): string {
  const url = new URL(discovery.authorization_endpoint);
  for (const [k, v] of Object.entries({
    client_id: 'afenda-shell',
    response_type: 'code',
    redirect_uri: REDIRECT_URI,
    scope: 'openid',
    state: randomBytes(8).toString('hex'),
    nonce: randomBytes(8).toString('hex'),
    ...params,
  })) {
    url.searchParams.set(k, v);
  }
  return url.href;
}

async function verifyAccessToken(token: string): Promise<JWTPayload> {
  const jwks = createRemoteJWKSet(new URL(discovery.jwks_uri));
  const { payload } = await jwtVerify(token, jwks, {
    issuer: idp.issuer,
    audience: 'afenda-orchestrator',
    algorithms: ['RS256'],
  });
  return payload;
}

/** Browser login through the form; returns the code, the jar (with the session) and the verifier. */
async function signIn(username: string, password: string, jar = new Jar()) {
  const { verifier, challenge } = pkce();
  const state = 'state-1';
  const start = await get(
    authorizeUrl({ code_challenge: challenge, code_challenge_method: 'S256', state }),
    jar,
  );
  expect(start.status).toBe(303);
  const loginUrl = absolute(start.headers.get('location'));
  expect(new URL(loginUrl).pathname).toMatch(/^\/realms\/afenda\/login\/[\w-]+$/);

  const form = await get(loginUrl, jar);
  expect(form.status).toBe(200);
  const html = await form.text();
  expect(html).toContain('<label for="username">');
  expect(html).toContain('<label for="password">');
  const action = /<form method="post" action="([^"]+)"/.exec(html)?.[1] ?? '';
  expect(absolute(action)).toBe(loginUrl);

  const done = await post(absolute(action), { username, password }, { jar });
  expect(done.status).toBe(303);
  const resume = await get(absolute(done.headers.get('location')), jar);
  expect(resume.status).toBe(303);
  const callback = new URL(resume.headers.get('location') ?? '');
  expect(`${callback.origin}${callback.pathname}`).toBe(REDIRECT_URI);
  expect(callback.searchParams.get('state')).toBe(state);
  expect(callback.searchParams.get('iss')).toBe(idp.issuer);
  return { code: callback.searchParams.get('code') ?? '', verifier, jar };
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'afenda-dev-idp-'));
  keysFile = path.join(dir, 'keys', 'jwks.json');

  backchannel = await startLogoutReceiver();

  // The real export, with the Shell's back-channel URL pointing here and a disabled user added.
  const realm = JSON.parse(await readFile(REALM_FILE, 'utf8')) as RealmJson;
  const shell = realm.clients.find((c) => c.clientId === 'afenda-shell')!;
  shell.attributes = {
    ...shell.attributes,
    'backchannel.logout.url': backchannel.url,
  };
  realm.users.push({
    id: '00000000-0000-4000-8000-0000000000d0',
    username: 'dora',
    enabled: false,
    email: 'dora@acme.example',
    credentials: [{ type: 'password', value: 'demo-dora' }],
    groups: ['/acme/sales'],
  } as RealmJson['users'][number]);
  realmFile = path.join(dir, 'realm.json');
  await writeFile(realmFile, JSON.stringify(realm));
  alice = { id: realm.users.find((u) => u.username === 'alice')!.id! };

  idp = await startDevIdp({ port: 0, realmFile, keysFile, env: {} });
  discovery = (await (
    await fetch(`${idp.issuer}/.well-known/openid-configuration`)
  ).json()) as Discovery;
});

afterAll(async () => {
  await idp?.close();
  await backchannel?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('discovery and keys', () => {
  it("publishes Keycloak's issuer and endpoint layout", () => {
    const realmUrl = `${idp.url}/realms/afenda`;
    expect(idp.issuer).toBe(realmUrl);
    expect(discovery).toMatchObject({
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
    expect(discovery.code_challenge_methods_supported).toContain('S256');
    expect(discovery.grant_types_supported).toEqual(
      expect.arrayContaining(['authorization_code', 'refresh_token', 'password']),
    );
    expect(discovery.id_token_signing_alg_values_supported).toContain('RS256');
    expect(discovery.scopes_supported).toEqual(
      expect.arrayContaining(['openid', 'profile', 'email']),
    );
  });

  it('publishes one RS256 signing key, public half only', async () => {
    const res = await fetch(discovery.jwks_uri);
    expect(res.status).toBe(200);
    const { keys } = (await res.json()) as { keys: Record<string, string>[] };
    expect(keys).toHaveLength(1);
    expect(keys[0]).toMatchObject({
      kty: 'RSA',
      alg: 'RS256',
      use: 'sig',
      kid: idp.signingKey.kid,
    });
    expect(keys[0]).not.toHaveProperty('d');
  });

  it("answers Keycloak's realm info at /realms/afenda", async () => {
    const info = (await (await fetch(idp.issuer)).json()) as Record<string, unknown>;
    expect(info).toMatchObject({
      realm: 'afenda',
      'token-service': `${idp.issuer}/protocol/openid-connect`,
    });
    expect(typeof info.public_key).toBe('string');
  });

  it('keeps the signing key file private and reuses it after a restart', async () => {
    expect((await stat(keysFile)).mode & 0o777).toBe(0o600);
    const again = await startDevIdp({ port: 0, realmFile, keysFile, env: {} });
    try {
      expect(again.signingKey).toEqual({ kid: idp.signingKey.kid, source: 'read' });
      const { keys } = (await (
        await fetch(`${again.issuer}/protocol/openid-connect/certs`)
      ).json()) as {
        keys: { kid: string }[];
      };
      expect(keys.map((k) => k.kid)).toEqual([idp.signingKey.kid]);
    } finally {
      await again.close();
    }
    const other = await startDevIdp({
      port: 0,
      realmFile,
      keysFile: path.join(dir, 'other.json'),
      env: {},
    });
    try {
      expect(other.signingKey.kid).not.toBe(idp.signingKey.kid);
    } finally {
      await other.close();
    }
  });
});

describe('password grant (direct access grants)', () => {
  it('issues alice a Keycloak-shaped access token that verifies against the JWKS', async () => {
    const started = performance.now();
    const res = await passwordGrant({
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
      kid: idp.signingKey.kid,
    });
    const claims = await verifyAccessToken(token);
    expect(claims).toMatchObject({
      iss: idp.issuer,
      sub: alice.id,
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
      iss: idp.issuer,
      aud: 'afenda-test',
      sub: alice.id,
      typ: 'ID',
      groups: ['/acme/support'],
      sid: claims.sid,
    });
  });

  it('gives no ID token without the openid scope, and still the default profile claims', async () => {
    const res = await passwordGrant({
      client_id: 'afenda-test',
      username: 'Alice',
      password: 'demo-alice',
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as Record<string, string>;
    expect(body.id_token).toBeUndefined();
    const claims = await verifyAccessToken(body.access_token!);
    expect(claims.scope).toBe('profile email');
    expect(claims.preferred_username).toBe('alice');
  });

  it('refuses a wrong password, a disabled user and an unknown user alike', async () => {
    for (const [username, password] of [
      ['alice', 'wrong'],
      ['dora', 'demo-dora'],
      ['nobody', 'demo-alice'],
    ]) {
      const res = await passwordGrant({
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
    const shell = await passwordGrant(
      { username: 'alice', password: 'demo-alice' },
      basic('afenda-shell', SHELL_SECRET),
    );
    expect(shell.status).toBe(400);
    expect(await shell.json()).toMatchObject({ error: 'unauthorized_client' });
    const orchestrator = await passwordGrant(
      { username: 'alice', password: 'demo-alice' },
      basic('afenda-orchestrator', 'afenda-orchestrator-dev-secret'),
    );
    expect(orchestrator.status).toBe(400);
    expect(await orchestrator.json()).toMatchObject({ error: 'unauthorized_client' });
    const wrongSecret = await passwordGrant(
      { username: 'alice', password: 'demo-alice' },
      basic('afenda-shell', 'nope'),
    );
    expect(wrongSecret.status).toBe(401);
  });

  it('refreshes: a new access token, a rotated refresh token, and the old one refused', async () => {
    const first = (await (
      await passwordGrant({
        client_id: 'afenda-test',
        username: 'alice',
        password: 'demo-alice',
        scope: 'openid',
      })
    ).json()) as Record<string, string>;
    const res = await post(discovery.token_endpoint, {
      grant_type: 'refresh_token',
      client_id: 'afenda-test',
      refresh_token: first.refresh_token!,
    });
    expect(res.status).toBe(200);
    const second = (await res.json()) as Record<string, string>;
    expect(second.access_token).not.toBe(first.access_token);
    expect(second.refresh_token).not.toBe(first.refresh_token);
    const claims = await verifyAccessToken(second.access_token!);
    expect(claims).toMatchObject({ sub: alice.id, azp: 'afenda-test', groups: ['/acme/support'] });
    expect(claims.sid).toBe(decodeJwt(first.access_token!).sid);

    const reused = await post(discovery.token_endpoint, {
      grant_type: 'refresh_token',
      client_id: 'afenda-test',
      refresh_token: first.refresh_token!,
    });
    expect(reused.status).toBe(400);
    expect(await reused.json()).toMatchObject({ error: 'invalid_grant' });
  });

  it('introspects, serves userinfo for, and revokes its tokens', async () => {
    const tokens = (await (
      await passwordGrant({
        client_id: 'afenda-test',
        username: 'alice',
        password: 'demo-alice',
        scope: 'openid',
      })
    ).json()) as Record<string, string>;
    const introspect = async (token: string) =>
      (await (
        await post(
          discovery.introspection_endpoint,
          { token },
          { headers: basic('afenda-shell', SHELL_SECRET) },
        )
      ).json()) as Record<string, unknown>;

    expect(await introspect(tokens.access_token!)).toMatchObject({
      active: true,
      sub: alice.id,
      client_id: 'afenda-test',
      username: 'alice',
      token_type: 'Bearer',
      groups: ['/acme/support'],
    });
    expect(await introspect(tokens.refresh_token!)).toMatchObject({
      active: true,
      typ: 'Refresh',
      sub: alice.id,
    });
    expect(await introspect('not-a-token')).toEqual({ active: false });

    const publicIntrospection = await post(discovery.introspection_endpoint, {
      token: tokens.access_token!,
      client_id: 'afenda-test',
    });
    expect(publicIntrospection.status).toBe(401);

    const info = await fetch(discovery.userinfo_endpoint, {
      headers: { authorization: `Bearer ${tokens.access_token}` },
    });
    expect(info.status).toBe(200);
    expect(await info.json()).toEqual({
      sub: alice.id,
      email_verified: true,
      name: 'Alice Nguyen',
      preferred_username: 'alice',
      given_name: 'Alice',
      family_name: 'Nguyen',
      email: 'alice@acme.example',
      groups: ['/acme/support'],
    });
    const anonymous = await fetch(discovery.userinfo_endpoint);
    expect(anonymous.status).toBe(401);

    const revoked = await post(discovery.revocation_endpoint, {
      token: tokens.refresh_token!,
      client_id: 'afenda-test',
    });
    expect(revoked.status).toBe(200);
    // Revoking the refresh token ends the grant, and with it the access token.
    expect(await introspect(tokens.refresh_token!)).toEqual({ active: false });
    expect(await introspect(tokens.access_token!)).toEqual({ active: false });
    const after = await fetch(discovery.userinfo_endpoint, {
      headers: { authorization: `Bearer ${tokens.access_token}` },
    });
    expect(after.status).toBe(401);
  });
});

describe('authorization code flow', () => {
  it('signs alice in through the login form with PKCE and exchanges the code with the client secret', async () => {
    const jar = new Jar();
    // A wrong password first: the form comes back with the error and the username kept.
    const { challenge } = pkce();
    const start = await get(
      authorizeUrl({ code_challenge: challenge, code_challenge_method: 'S256' }),
      jar,
    );
    const loginUrl = absolute(start.headers.get('location'));
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

    const { code, verifier } = await signIn('alice', 'demo-alice', jar);
    const res = await post(
      discovery.token_endpoint,
      {
        grant_type: 'authorization_code',
        code,
        redirect_uri: REDIRECT_URI,
        code_verifier: verifier,
      },
      { headers: basic('afenda-shell', SHELL_SECRET) },
    );
    expect(res.status).toBe(200);
    const tokens = (await res.json()) as Record<string, string>;
    expect(typeof tokens.refresh_token).toBe('string');
    const claims = await verifyAccessToken(tokens.access_token!);
    expect(claims).toMatchObject({
      sub: alice.id,
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
      iss: idp.issuer,
      aud: 'afenda-shell',
      azp: 'afenda-shell',
      sub: alice.id,
      groups: ['/acme/support'],
      preferred_username: 'alice',
      email: 'alice@acme.example',
      sid: claims.sid,
      auth_time: claims.auth_time,
    });

    // Single sign-on: a second request goes straight back with a code; client_secret_post works too.
    const second = pkce();
    const sso = await get(
      authorizeUrl({ code_challenge: second.challenge, code_challenge_method: 'S256' }),
      jar,
    );
    expect(sso.status).toBe(303);
    const ssoCode = new URL(sso.headers.get('location') ?? '').searchParams.get('code');
    expect(ssoCode).toBeTruthy();
    const exchanged = await post(discovery.token_endpoint, {
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
    const missing = await get(authorizeUrl({}));
    expect(missing.status).toBe(303);
    const back = new URL(missing.headers.get('location') ?? '');
    expect(`${back.origin}${back.pathname}`).toBe(REDIRECT_URI);
    expect(back.searchParams.get('error')).toBe('invalid_request');

    const { code } = await signIn('alice', 'demo-alice');
    const res = await post(
      discovery.token_endpoint,
      {
        grant_type: 'authorization_code',
        code,
        redirect_uri: REDIRECT_URI,
        code_verifier: pkce().verifier,
      },
      { headers: basic('afenda-shell', SHELL_SECRET) },
    );
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: 'invalid_grant' });
  });

  it('refuses an unregistered redirect URI without redirecting to it', async () => {
    const res = await get(
      authorizeUrl({
        redirect_uri: 'http://evil.example/cb',
        code_challenge: pkce().challenge,
        code_challenge_method: 'S256',
      }),
    );
    expect(res.status).toBe(400);
    expect(res.headers.get('location')).toBeNull();
  });
});

describe('logout', () => {
  it('ends the session with id_token_hint, redirects back and tells the Shell on the back channel', async () => {
    const { code, verifier, jar } = await signIn('alice', 'demo-alice');
    const tokens = (await (
      await post(
        discovery.token_endpoint,
        {
          grant_type: 'authorization_code',
          code,
          redirect_uri: REDIRECT_URI,
          code_verifier: verifier,
        },
        { headers: basic('afenda-shell', SHELL_SECRET) },
      )
    ).json()) as Record<string, string>;
    const sid = decodeJwt(tokens.id_token!).sid;
    const introspect = async () =>
      (await (
        await post(
          discovery.introspection_endpoint,
          { token: tokens.access_token! },
          { headers: basic('afenda-shell', SHELL_SECRET) },
        )
      ).json()) as Record<string, unknown>;
    expect(await introspect()).toMatchObject({ active: true, sid, client_id: 'afenda-shell' });
    const userinfo = await fetch(discovery.userinfo_endpoint, {
      headers: { authorization: `Bearer ${tokens.access_token}`, origin: 'http://localhost:3000' },
    });
    expect(userinfo.status).toBe(200);
    expect(userinfo.headers.get('access-control-allow-origin')).toBe('http://localhost:3000');

    const refused = await get(
      `${discovery.end_session_endpoint}?${new URLSearchParams({
        id_token_hint: tokens.id_token!,
        post_logout_redirect_uri: 'http://evil.example/',
      })}`,
      jar,
    );
    expect(refused.status).toBe(400);

    const before = backchannel.tokens.length;
    const page = await get(
      `${discovery.end_session_endpoint}?${new URLSearchParams({
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
    const confirmed = await post(absolute(action), { xsrf, logout: 'yes' }, { jar });
    expect(confirmed.status).toBe(303);
    expect(confirmed.headers.get('location')).toBe('http://localhost:3000/signed-out?state=bye');

    expect(backchannel.tokens.length).toBe(before + 1);
    const jwks = createRemoteJWKSet(new URL(discovery.jwks_uri));
    const { payload } = await jwtVerify(backchannel.tokens.at(-1)!, jwks, {
      issuer: idp.issuer,
      audience: 'afenda-shell',
    });
    expect(payload).toMatchObject({
      sub: alice.id,
      sid,
      typ: 'Logout',
      events: { 'http://schemas.openid.net/event/backchannel-logout': {} },
    });

    // The session's tokens are over.
    const refreshed = await post(
      discovery.token_endpoint,
      { grant_type: 'refresh_token', refresh_token: tokens.refresh_token! },
      { headers: basic('afenda-shell', SHELL_SECRET) },
    );
    expect(refreshed.status).toBe(400);
    expect(await introspect()).toEqual({ active: false });

    // And the browser has to sign in again.
    const again = await get(
      authorizeUrl({ code_challenge: pkce().challenge, code_challenge_method: 'S256' }),
      jar,
    );
    expect(new URL(absolute(again.headers.get('location'))).pathname).toMatch(/\/login\//);
  });
});
