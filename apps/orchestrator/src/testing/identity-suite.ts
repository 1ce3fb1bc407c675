/**
 * One identity suite, two providers: the development OpenID provider (npm test) and a real
 * Keycloak (.ci/run, TEST_KEYCLOAK=1). Same steps, same assertions: a password-grant login, the
 * orchestrator accepting that token (typ and azp as it requires) and resolving the tenants, a
 * membership removed at the provider meaning 404 after a reconcile, a disabled user refused.
 */
import { createTestDatabase, type TestDatabase } from '@afenda/test-utils';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTokenVerifier } from '../auth/verify-token.ts';
import { DEVELOPMENT_CLIENTS } from '../config.ts';
import type { DirectorySource } from '../domain/identity/directory-source.ts';
import { DirectorySync } from '../domain/identity/sync.ts';
import { createLogger } from '../logger.ts';
import { buildTestApp } from './app.ts';

export interface IdentityHarness {
  issuer: string;
  source: DirectorySource;
  /** A password grant with the test client; rejects with the provider's error otherwise. */
  login(username: string, password?: string): Promise<string>;
  removeFromGroup(username: string, groupPath: string): Promise<void>;
  disable(username: string): Promise<void>;
  close(): Promise<void>;
}

interface Node {
  id: string;
  kind: string;
  slug: string;
  role: string;
  children: Node[];
}
const flatten = (nodes: Node[]): Node[] => nodes.flatMap((n) => [n, ...flatten(n.children)]);

export function describeIdentitySuite(
  provider: string,
  start: () => Promise<IdentityHarness>,
  timeoutMs = 60_000,
): void {
  describe(`identity end to end with ${provider}`, () => {
    let harness: IdentityHarness;
    let tdb: TestDatabase;
    let app: FastifyInstance;
    let sync: DirectorySync;

    beforeAll(async () => {
      [harness, tdb] = await Promise.all([start(), createTestDatabase()]);
      sync = new DirectorySync({
        database: tdb.database,
        source: harness.source,
        logger: createLogger('silent'),
      });
      const first = await sync.reconcileAll('startup');
      expect(first, JSON.stringify(first)).toMatchObject({ status: 'succeeded' });
      const verify = createTokenVerifier({
        issuer: harness.issuer,
        audience: 'afenda-orchestrator',
        allowedClients: DEVELOPMENT_CLIENTS,
        algorithms: ['RS256'],
        clockToleranceSeconds: 10,
        cooldownSeconds: 30,
      });
      ({ app } = await buildTestApp({ database: tdb.database, auth: { verify, sync } }));
    }, timeoutMs);

    afterAll(async () => {
      await app?.close();
      await tdb?.drop();
      await harness?.close();
    }, timeoutMs);

    const call = (token: string, url: string) =>
      app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${token}` } });

    it('logs in with the password grant; the orchestrator accepts the token and resolves the tenants', async () => {
      const token = await harness.login('alice');
      const me = await call(token, '/api/v1/me');
      expect(me.statusCode, me.body).toBe(200);
      expect(me.json().data).toMatchObject({ username: 'alice' });
      const tenants = flatten((await call(token, '/api/v1/tenants')).json().data);
      expect(tenants.map((t) => [t.kind, t.slug]).sort()).toEqual([
        ['individual', 'u-alice'],
        ['organization', 'acme'],
        ['team', 'support'],
      ]);
    });

    it("takes the provider's access tokens for what they are, and only from the allowed clients", async () => {
      const token = await harness.login('alice');
      const verifier = (allowedClients: string[]) =>
        createTokenVerifier({
          issuer: harness.issuer,
          audience: 'afenda-orchestrator',
          allowedClients,
          algorithms: ['RS256'],
          clockToleranceSeconds: 10,
          cooldownSeconds: 30,
        });
      // The provider says typ Bearer and names the client in azp, as the orchestrator requires.
      expect(await verifier(DEVELOPMENT_CLIENTS)(token)).toMatchObject({
        typ: 'Bearer',
        azp: 'afenda-test',
      });
      // A production allow-list (the Shell only) refuses the test client's token.
      await expect(verifier(['afenda-shell'])(token)).rejects.toThrow(
        /issued to a client this API does not serve/,
      );
    });

    it('refuses a wrong password at the provider', async () => {
      await expect(harness.login('alice', 'not-her-password')).rejects.toThrow(
        /invalid_grant|Invalid user credentials/,
      );
    });

    it("keeps organisations apart: Globex's CEO gets 404 for Acme", async () => {
      const alice = await harness.login('alice');
      const acme = flatten((await call(alice, '/api/v1/tenants')).json().data).find(
        (t) => t.slug === 'acme',
      )!;
      const gloria = await harness.login('gloria');
      expect((await call(gloria, `/api/v1/tenants/${acme.id}`)).statusCode).toBe(404);
    });

    it('a membership removed at the provider is a 404 after the reconcile, for a token issued before', async () => {
      const token = await harness.login('arjun');
      const support = flatten((await call(token, '/api/v1/tenants')).json().data).find(
        (t) => t.kind === 'team',
      )!;
      expect((await call(token, `/api/v1/tenants/${support.id}`)).statusCode).toBe(200);
      await harness.removeFromGroup('arjun', '/acme/support');
      const run = await sync.reconcileAll('schedule');
      expect(run.status).toBe('succeeded');
      expect((await call(token, `/api/v1/tenants/${support.id}`)).statusCode).toBe(404);
    });

    it('a user disabled at the provider is refused', async () => {
      const token = await harness.login('aaron');
      expect((await call(token, '/api/v1/me')).statusCode).toBe(200);
      await harness.disable('aaron');
      await sync.reconcileAll('schedule');
      const res = await call(token, '/api/v1/me');
      expect(res.statusCode).toBe(401);
      expect(res.headers['www-authenticate']).toContain('invalid_token');
    });
  });
}
