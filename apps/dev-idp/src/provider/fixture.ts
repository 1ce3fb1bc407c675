/**
 * For the tests beside it: one development provider per test file, started on the real realm
 * export (the Shell's back-channel URL pointed at a receiver, a disabled user added), and the
 * browser and client moves the tests make against it.
 */
import { startLogoutReceiver, type LogoutReceiver } from '@afenda/test-utils/logout-receiver';
import { createRemoteJWKSet, jwtVerify, type JWTPayload } from 'jose';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect } from 'vitest';
import { startDevIdp, type RunningDevIdp, type StartDevIdpOptions } from '../provider.ts';

const REALM_FILE = fileURLToPath(
  new URL('../../../../deploy/keycloak/realm-afenda.json', import.meta.url),
);
export const SHELL_SECRET = 'afenda-shell-dev-secret';
export const REDIRECT_URI = 'http://localhost:3000/auth/callback';

interface RealmJson {
  clients: { clientId: string; attributes?: Record<string, string> }[];
  users: { id?: string; username: string }[];
}

export interface Discovery {
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

/** A minimal cookie jar: name -> value, whatever the path (the server checks the names). */
export class Jar {
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

export async function get(url: string, jar?: Jar): Promise<Response> {
  const res = await fetch(url, {
    redirect: 'manual',
    headers: jar ? { cookie: jar.header() } : {},
  });
  jar?.take(res);
  return res;
}

export async function post(
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

export const basic = (id: string, secret: string) => ({
  authorization: `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`,
});

export function pkce(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

/** The running provider and what the tests know of it; filled in by useTestIdp's beforeAll. */
export class TestIdp {
  constructor(private readonly options: Partial<StartDevIdpOptions> = {}) {}
  dir!: string;
  realmFile!: string;
  keysFile!: string;
  idp!: RunningDevIdp;
  discovery!: Discovery;
  alice!: { id: string };
  backchannel!: LogoutReceiver;

  async start(): Promise<void> {
    this.dir = await mkdtemp(path.join(tmpdir(), 'afenda-dev-idp-'));
    this.keysFile = path.join(this.dir, 'keys', 'jwks.json');

    this.backchannel = await startLogoutReceiver();

    // The real export, with the Shell's back-channel URL pointing here and a disabled user added.
    const realm = JSON.parse(await readFile(REALM_FILE, 'utf8')) as RealmJson;
    const shell = realm.clients.find((c) => c.clientId === 'afenda-shell')!;
    shell.attributes = {
      ...shell.attributes,
      'backchannel.logout.url': this.backchannel.url,
    };
    realm.users.push({
      id: '00000000-0000-4000-8000-0000000000d0',
      username: 'dora',
      enabled: false,
      email: 'dora@acme.example',
      credentials: [{ type: 'password', value: 'demo-dora' }],
      groups: ['/acme/sales'],
    } as RealmJson['users'][number]);
    this.realmFile = path.join(this.dir, 'realm.json');
    await writeFile(this.realmFile, JSON.stringify(realm));
    this.alice = { id: realm.users.find((u) => u.username === 'alice')!.id! };

    this.idp = await startDevIdp({
      port: 0,
      realmFile: this.realmFile,
      keysFile: this.keysFile,
      env: {},
      ...this.options,
    });
    this.discovery = (await (
      await fetch(`${this.idp.issuer}/.well-known/openid-configuration`)
    ).json()) as Discovery;
  }

  async close(): Promise<void> {
    await this.idp?.close();
    await this.backchannel?.close();
    if (this.dir) await rm(this.dir, { recursive: true, force: true });
  }

  passwordGrant(form: Record<string, string>, headers?: Record<string, string>) {
    return post(this.discovery.token_endpoint, { grant_type: 'password', ...form }, { headers });
  }

  /** alice's tokens from the password grant (afenda-test, openid), for tests of what they are good for. */
  async aliceTokens(): Promise<Record<string, string>> {
    return (await (
      await this.passwordGrant({
        client_id: 'afenda-test',
        username: 'alice',
        password: 'demo-alice',
        scope: 'openid',
      })
    ).json()) as Record<string, string>;
  }

  /** The Shell redeems a code at the token endpoint, authenticating with client_secret_basic. */
  exchangeCode(code: string, verifier: string): Promise<Response> {
    return post(
      this.discovery.token_endpoint,
      {
        grant_type: 'authorization_code',
        code,
        redirect_uri: REDIRECT_URI,
        code_verifier: verifier,
      },
      { headers: basic('afenda-shell', SHELL_SECRET) },
    );
  }

  absolute(location: string | null): string {
    return new URL(location ?? '', this.idp.url).href;
  }

  authorizeUrl(params: Record<string, string>): string {
    const url = new URL(this.discovery.authorization_endpoint);
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

  async verifyAccessToken(token: string): Promise<JWTPayload> {
    const jwks = createRemoteJWKSet(new URL(this.discovery.jwks_uri));
    const { payload } = await jwtVerify(token, jwks, {
      issuer: this.idp.issuer,
      audience: 'afenda-orchestrator',
      algorithms: ['RS256'],
    });
    return payload;
  }

  /** A browser at the start of the code flow (PKCE): the login form's URL, its cookies in the jar. */
  async loginFormUrl(jar: Jar): Promise<string> {
    const { challenge } = pkce();
    const start = await get(
      this.authorizeUrl({ code_challenge: challenge, code_challenge_method: 'S256' }),
      jar,
    );
    return this.absolute(start.headers.get('location'));
  }

  /** Browser login through the form; returns the code, the jar (with the session) and the verifier. */
  async signIn(username: string, password: string, jar = new Jar()) {
    const { verifier, challenge } = pkce();
    const state = 'state-1';
    const start = await get(
      this.authorizeUrl({ code_challenge: challenge, code_challenge_method: 'S256', state }),
      jar,
    );
    expect(start.status).toBe(303);
    const loginUrl = this.absolute(start.headers.get('location'));
    expect(new URL(loginUrl).pathname).toMatch(/^\/realms\/afenda\/login\/[\w-]+$/);

    const form = await get(loginUrl, jar);
    expect(form.status).toBe(200);
    const html = await form.text();
    expect(html).toContain('<label for="username">');
    expect(html).toContain('<label for="password">');
    const action = /<form method="post" action="([^"]+)"/.exec(html)?.[1] ?? '';
    expect(this.absolute(action)).toBe(loginUrl);

    const done = await post(this.absolute(action), { username, password }, { jar });
    expect(done.status).toBe(303);
    const resume = await get(this.absolute(done.headers.get('location')), jar);
    expect(resume.status).toBe(303);
    const callback = new URL(resume.headers.get('location') ?? '');
    expect(`${callback.origin}${callback.pathname}`).toBe(REDIRECT_URI);
    expect(callback.searchParams.get('state')).toBe(state);
    expect(callback.searchParams.get('iss')).toBe(this.idp.issuer);
    return { code: callback.searchParams.get('code') ?? '', verifier, jar };
  }
}

/** A provider of its own for the calling test file, started before its tests and stopped after. */
export function useTestIdp(options: Partial<StartDevIdpOptions> = {}): TestIdp {
  const t = new TestIdp(options);
  beforeAll(() => t.start());
  afterAll(() => t.close());
  return t;
}
