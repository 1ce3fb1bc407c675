import type { KeycloakUser } from '@afenda/contracts';
import type { TestDatabase, TestIssuer } from '@afenda/test-utils';
import type { FastifyInstance } from 'fastify';
import { exportSPKI, generateKeyPair } from 'jose';
import { createHmac, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DirectorySync } from '../domain/identity/sync.ts';
import { startIdentityFixture, type IdentityFixture } from '../testing/fixture.ts';
import { buildTestApp } from '../testing/app.ts';
import { createTokenVerifier } from './verify-token.ts';

let fx: IdentityFixture;
let tdb: TestDatabase;
let issuer: TestIssuer;
let app: FastifyInstance;
let sync: DirectorySync;
const WEBHOOK_SECRET = 'keycloak-nudge-secret-for-tests';

const userId = (username: string) => fx.userId(username);
const writeRealm = (change: (users: KeycloakUser[]) => KeycloakUser[]) => fx.writeUsers(change);

beforeAll(async () => {
  fx = await startIdentityFixture({ env: { KEYCLOAK_WEBHOOK_SECRET: WEBHOOK_SECRET } });
  ({ tdb, issuer, app, sync } = fx);
});

afterAll(async () => {
  await fx?.close();
});

const as = async (username: string, claims: Record<string, unknown> = {}) =>
  ({
    authorization: `Bearer ${await issuer.token({ sub: userId(username), preferred_username: username, ...claims })}`,
  }) as Record<string, string>;
const get = (url: string, headers: Record<string, string> = {}) =>
  app.inject({ method: 'GET', url, headers });

function b64url(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

describe('bearer tokens', () => {
  it('are required on /api/v1 routes: 401 with WWW-Authenticate and the envelope', async () => {
    const res = await get('/api/v1/tenants');
    expect(res.statusCode).toBe(401);
    expect(res.headers['www-authenticate']).toBe('Bearer realm="afenda"');
    expect(res.json().error.code).toBe('UNAUTHENTICATED');
    // Public routes stay public.
    expect((await get('/api/v1')).statusCode).toBe(200);
  });

  it('refuse every malformed, expired, foreign or forged token with 401', async () => {
    const now = Math.floor(Date.now() / 1000);
    const sub = userId('alice');
    const other = await generateKeyPair('RS256');
    const pem = await exportSPKI(
      (await import('node:crypto')).createPublicKey({
        key: issuer.publicJwk as never,
        format: 'jwk',
      }) as never,
    );
    const hsHeader = b64url({ alg: 'HS256', typ: 'JWT', kid: 'test-key-1' });
    const hsBody = b64url({
      iss: issuer.issuer,
      aud: 'afenda-orchestrator',
      sub,
      iat: now,
      exp: now + 300,
    });
    const hsWithPublicKey = `${hsHeader}.${hsBody}.${createHmac('sha256', pem).update(`${hsHeader}.${hsBody}`).digest('base64url')}`;
    const cases: Record<string, string> = {
      'not a JWT': 'Bearer not-a-jwt',
      'wrong scheme': `Basic ${Buffer.from('alice:pw').toString('base64')}`,
      expired: `Bearer ${await issuer.token({ sub, iat: now - 600, exp: now - 300 })}`,
      'not yet valid': `Bearer ${await issuer.token({ sub, nbf: now + 600 })}`,
      'another issuer': `Bearer ${await issuer.token({ sub, iss: 'http://127.0.0.1:1/realms/other' })}`,
      'no audience (Keycloak without the audience mapper)': `Bearer ${await issuer.token({ sub, aud: undefined })}`,
      'wrong audience': `Bearer ${await issuer.token({ sub, aud: ['account', 'afenda-shell'] })}`,
      'alg none': `Bearer ${b64url({ alg: 'none', typ: 'JWT' })}.${b64url({ iss: issuer.issuer, aud: 'afenda-orchestrator', sub, iat: now, exp: now + 300 })}.`,
      'HS256 signed with the public key': `Bearer ${hsWithPublicKey}`,
      'unknown kid': `Bearer ${await issuer.token({ sub }, { kid: 'rotated-away', key: other.privateKey as never })}`,
      'known kid, wrong key': `Bearer ${await issuer.token({ sub }, { key: other.privateKey as never })}`,
      'an ID token': `Bearer ${await issuer.token({ sub, typ: 'ID' })}`,
      'a refresh token': `Bearer ${await issuer.token({ sub, typ: 'Refresh' })}`,
      'a logout token': `Bearer ${await issuer.token({ sub, typ: 'Logout' })}`,
      'no typ (not said to be an access token)': `Bearer ${await issuer.token({ sub, typ: undefined })}`,
      'at+jwt header on a token that says it is an ID token': `Bearer ${await issuer.token({ sub, typ: 'ID' }, { typ: 'at+jwt' })}`,
      'another client of the realm given our audience': `Bearer ${await issuer.token({ sub, azp: 'account' })}`,
      "the orchestrator's own service account": `Bearer ${await issuer.token({ sub, azp: 'afenda-orchestrator' })}`,
      'no authorised party': `Bearer ${await issuer.token({ sub, azp: undefined })}`,
    };
    for (const [name, authorization] of Object.entries(cases)) {
      const res = await get('/api/v1/tenants', { authorization });
      expect(res.statusCode, name).toBe(401);
      expect(res.json().error.code, name).toBe('UNAUTHENTICATED');
      expect(res.headers['www-authenticate'], name).toMatch(
        /^Bearer realm="afenda", error="invalid_(token|request)"/,
      );
    }
  });

  it("accepts access tokens as Keycloak issues them, from the product's clients", async () => {
    const sub = userId('alice');
    const accepted: Record<string, string> = {
      'typ Bearer from the Shell': await issuer.token({ sub }),
      "RFC 9068's at+jwt header, no typ claim": await issuer.token(
        { sub, typ: undefined },
        { typ: 'at+jwt' },
      ),
      'application/at+jwt header and typ Bearer': await issuer.token(
        { sub },
        { typ: 'application/at+jwt' },
      ),
    };
    for (const [name, token] of Object.entries(accepted)) {
      const res = await get('/api/v1/tenants', { authorization: `Bearer ${token}` });
      expect(res.statusCode, name).toBe(200);
    }
  });

  it('fetches the JWKS once and keeps it; an unknown kid refetches at most once per cooldown', async () => {
    const before = issuer.jwksRequests;
    for (let i = 0; i < 5; i++)
      expect((await get('/api/v1/tenants', await as('alice'))).statusCode).toBe(200);
    expect(issuer.jwksRequests).toBe(before);
    const other = await generateKeyPair('RS256');
    for (let i = 0; i < 3; i++) {
      await get('/api/v1/tenants', {
        authorization: `Bearer ${await issuer.token({ sub: userId('alice') }, { kid: `new-${i}`, key: other.privateKey as never })}`,
      });
    }
    expect(issuer.jwksRequests - before).toBeLessThanOrEqual(1);
  });

  it('answers 503, not 401, when the issuer cannot be reached to verify', async () => {
    const verify = createTokenVerifier({
      issuer: 'http://127.0.0.1:1/realms/afenda',
      audience: 'afenda-orchestrator',
      allowedClients: ['afenda-shell'],
      algorithms: ['RS256'],
      clockToleranceSeconds: 5,
      cooldownSeconds: 30,
    });
    const { app: cut } = await buildTestApp({ database: tdb.database, auth: { verify, sync } });
    try {
      const res = await cut.inject({
        method: 'GET',
        url: '/api/v1/tenants',
        headers: await as('alice'),
      });
      expect(res.statusCode).toBe(503);
      expect(res.headers['retry-after']).toBeDefined();
      expect(res.json().error.code).toBe('SERVICE_UNAVAILABLE');
    } finally {
      await cut.close();
    }
  });
});

interface Node {
  id: string;
  kind: string;
  slug: string;
  role: string;
  canApprove: boolean;
  children: Node[];
}
const flatten = (nodes: Node[]): Node[] => nodes.flatMap((n) => [n, ...flatten(n.children)]);

describe('tenants', () => {
  it("lists the caller's tenants as a tree: individual, organisation, its teams", async () => {
    const res = await get('/api/v1/tenants', await as('alice'));
    expect(res.statusCode).toBe(200);
    const tree = res.json().data as Node[];
    expect(tree.map((n) => [n.kind, n.slug])).toEqual([
      ['individual', 'u-alice'],
      ['organization', 'acme'],
    ]);
    expect(tree[1]?.children.map((n) => [n.kind, n.slug, n.role])).toEqual([
      ['team', 'support', 'member'],
    ]);
    expect(res.json().meta.activeTenantId).toBe(tree[1]?.id);
  });

  it("answers 404 for a tenant the caller doesn't belong to, exactly as for one that doesn't exist", async () => {
    const globex = flatten((await get('/api/v1/tenants', await as('gloria'))).json().data).find(
      (n) => n.slug === 'globex',
    )!;
    const foreign = await get(`/api/v1/tenants/${globex.id}`, await as('alice'));
    const missing = await get(`/api/v1/tenants/${randomUUID()}`, await as('alice'));
    expect(foreign.statusCode).toBe(404);
    expect(missing.statusCode).toBe(404);
    expect(foreign.json().error).toEqual(missing.json().error);
    expect((await get('/api/v1/tenants/not-a-uuid', await as('alice'))).statusCode).toBe(400);
    expect(
      (
        await app.inject({
          method: 'POST',
          url: `/api/v1/tenants/${globex.id}/switch`,
          headers: await as('alice'),
        })
      ).statusCode,
    ).toBe(404);
  });

  it("names whom a member asks about a tenant's setup: its organisation's owners, then admins", async () => {
    const mine = flatten((await get('/api/v1/tenants', await as('alice'))).json().data);
    const contacts = async (slug: string, kind: string) => {
      const t = mine.find((n) => n.slug === slug && n.kind === kind)!;
      const res = await get(`/api/v1/tenants/${t.id}/contacts`, await as('alice'));
      expect(res.statusCode, res.body).toBe(200);
      return res.json().data;
    };
    const acme = [
      { name: 'Ada Okafor', role: 'owner' },
      { name: 'Arjun Mehta', role: 'admin' },
    ];
    expect(await contacts('acme', 'organization')).toEqual(acme);
    // A team's are its organisation's.
    expect(await contacts('support', 'team')).toEqual(acme);
    // Her personal tenant: she is its owner, there is nobody to ask.
    expect(await contacts(mine.find((n) => n.kind === 'individual')!.slug, 'individual')).toEqual(
      [],
    );
    const globex = flatten((await get('/api/v1/tenants', await as('gloria'))).json().data).find(
      (n) => n.slug === 'globex',
    )!;
    expect((await get(`/api/v1/tenants/${globex.id}/contacts`, await as('alice'))).statusCode).toBe(
      404,
    );
  });

  it('switches the active tenant for this session only', async () => {
    const sid = randomUUID();
    const headers = await as('alice', { sid });
    const team = flatten((await get('/api/v1/tenants', headers)).json().data).find(
      (n) => n.kind === 'team',
    )!;
    const res = await app.inject({
      method: 'POST',
      url: `/api/v1/tenants/${team.id}/switch`,
      headers,
    });
    expect(res.statusCode).toBe(200);
    expect(res.json().data).toMatchObject({ id: team.id, kind: 'team' });
    expect((await get('/api/v1/me', headers)).json().data).toMatchObject({
      username: 'alice',
      activeTenantId: team.id,
    });
    expect(
      (await get('/api/v1/me', await as('alice', { sid: randomUUID() }))).json().data
        .activeTenantId,
    ).not.toBe(team.id);
  });

  it('gives owners the approver flag', async () => {
    const acme = flatten((await get('/api/v1/tenants', await as('ada'))).json().data).find(
      (n) => n.slug === 'acme',
    )!;
    expect(acme).toMatchObject({ role: 'owner', canApprove: true });
  });
});

describe('membership sync, downward only', () => {
  it('removes access at the next reconcile, even for tokens issued before', async () => {
    const headers = await as('aaron');
    const acme = flatten((await get('/api/v1/tenants', headers)).json().data).find(
      (n) => n.slug === 'acme',
    )!;
    expect((await get(`/api/v1/tenants/${acme.id}`, headers)).statusCode).toBe(200);
    await writeRealm((users) =>
      users.map((u) => (u.username === 'aaron' ? { ...u, groups: [] } : u)),
    );
    expect((await sync.reconcileAll('schedule')).result).toMatchObject({ membershipsRemoved: 2 });
    expect((await get(`/api/v1/tenants/${acme.id}`, headers)).statusCode).toBe(404);
  });

  it('refuses a user disabled in Keycloak', async () => {
    const headers = await as('george');
    expect((await get('/api/v1/me', headers)).statusCode).toBe(200);
    await writeRealm((users) =>
      users.map((u) => (u.username === 'george' ? { ...u, enabled: false } : u)),
    );
    await sync.reconcileAll('schedule');
    const res = await get('/api/v1/me', headers);
    expect(res.statusCode).toBe(401);
    expect(res.json().error.message).toMatch(/disabled/);
  });

  it("reconciles a user's memberships at each new login (auth_time)", async () => {
    await writeRealm((users) =>
      users.map((u) =>
        u.username === 'amelia' ? { ...u, groups: [...(u.groups ?? []), '/acme/approvers'] } : u,
      ),
    );
    const before = flatten(
      (
        await get(
          '/api/v1/tenants',
          await as('amelia', { auth_time: Math.floor(Date.now() / 1000) - 3600 }),
        )
      ).json().data,
    );
    // The first token seen (an old login) was reconciled then; a later login reconciles again.
    const login = await as('amelia', { auth_time: Math.floor(Date.now() / 1000) });
    const after = flatten((await get('/api/v1/tenants', login)).json().data);
    expect(after.find((n) => n.slug === 'acme')).toMatchObject({ canApprove: true });
    expect(before.length).toBeGreaterThan(0);
    const { rows } = await tdb.admin.query(
      "select count(*)::int as n from sync_runs where trigger = 'login' and subject = $1",
      [userId('amelia')],
    );
    expect(rows[0].n).toBeGreaterThanOrEqual(1);
  });

  it('reconciles at once on a Keycloak nudge, authenticated by the shared secret', async () => {
    const nudge = (authorization?: string, body: unknown = {}) =>
      app.inject({
        method: 'POST',
        url: '/api/v1/webhooks/keycloak',
        headers: authorization ? { authorization } : {},
        payload: body as object,
      });
    expect((await nudge()).statusCode).toBe(401);
    expect((await nudge('Bearer wrong-secret-wrong-secret')).statusCode).toBe(401);
    const headers = await as('grace');
    const globex = flatten((await get('/api/v1/tenants', headers)).json().data).find(
      (n) => n.slug === 'globex',
    )!;
    await writeRealm((users) =>
      users.map((u) => (u.username === 'grace' ? { ...u, groups: [] } : u)),
    );
    const res = await nudge(`Bearer ${WEBHOOK_SECRET}`, { userId: userId('grace') });
    expect(res.statusCode).toBe(200);
    expect(res.json().data).toMatchObject({
      status: 'succeeded',
      result: { membershipsRemoved: 2 },
    });
    expect((await get(`/api/v1/tenants/${globex.id}`, headers)).statusCode).toBe(404);
  });

  it('records every reconcile in sync_runs', async () => {
    const { rows } = await tdb.admin.query<{ trigger: string; status: string }>(
      'select trigger, status from sync_runs',
    );
    expect(new Set(rows.map((r) => r.trigger))).toEqual(
      new Set(['startup', 'schedule', 'login', 'webhook']),
    );
    expect(rows.every((r) => r.status === 'succeeded')).toBe(true);
  });
});

describe('a token for someone the directory does not know', () => {
  it('is refused, and costs one reconcile, not one per request', async () => {
    const stranger = randomUUID();
    const headers = { authorization: `Bearer ${await issuer.token({ sub: stranger })}` };
    for (let i = 0; i < 3; i++) {
      const res = await get('/api/v1/me', headers);
      expect(res.statusCode).toBe(401);
      expect(res.json().error.message).toBe('This account is not known to the workspace');
    }
    const { rows } = await tdb.admin.query(
      'select count(*)::int as n from sync_runs where subject = $1',
      [stranger],
    );
    expect(rows[0].n).toBe(1);
  });
});
