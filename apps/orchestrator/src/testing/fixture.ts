import type { KeycloakUser } from '@afenda/contracts';
import type { ServerModule } from '@afenda/platform/module';
import {
  createTestDatabase,
  startTestIssuer,
  type TestDatabase,
  type TestIssuer,
} from '@afenda/test-utils';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createTokenVerifier } from '../auth/verify-token.ts';
import { DEVELOPMENT_CLIENTS } from '../config.ts';
import { RealmFileSource } from '../domain/identity/directory-source.ts';
import { DirectorySync } from '../domain/identity/sync.ts';
import { createLogger } from '../logger.ts';
import type { Orchestrator } from '../compose.ts';
import { buildTestApp, REALM_FILE } from './app.ts';

/**
 * The real app on a test database, its directory reconciled from a private copy of the realm
 * export (which tests may rewrite, as if Keycloak changed), and a stand-in issuer minting
 * Keycloak-shaped tokens for the realm's users.
 */
export interface IdentityFixture {
  tdb: TestDatabase;
  issuer: TestIssuer;
  app: FastifyInstance;
  sync: DirectorySync;
  users: KeycloakUser[];
  orchestrator: Orchestrator;
  userId(username: string): string;
  /** Stands in for authentication (buildTestApp's identify): every request is this owner's. */
  ownerIn(username: string, tenantId: string): (request: FastifyRequest) => Promise<void>;
  /** A bearer token for the user, with extra or overriding claims. */
  token(username: string, claims?: Record<string, unknown>): Promise<string>;
  /** Rewrites the realm's users, starting from the fixture's original list. */
  writeUsers(change: (users: KeycloakUser[]) => KeycloakUser[]): Promise<void>;
  close(): Promise<void>;
}

export async function startIdentityFixture(
  options: {
    env?: Record<string, string>;
    users?: (users: KeycloakUser[]) => KeycloakUser[];
    poolMax?: number;
    /** Run the job workers on the test database (webhook processing, outbound calls). */
    jobs?: boolean;
    /** Calls into the tools go here (a test double at the network boundary). */
    fetch?: typeof fetch;
    /** The modules to run (default: every module the orchestrator lists). */
    modules?: ServerModule[];
  } = {},
): Promise<IdentityFixture> {
  const tdb = await createTestDatabase({ poolMax: options.poolMax ?? 4 });
  const issuer = await startTestIssuer();
  const dir = await mkdtemp(path.join(tmpdir(), 'afenda-fixture-'));
  const realmPath = path.join(dir, 'realm.json');
  const realm = JSON.parse(await readFile(REALM_FILE, 'utf8')) as { users: KeycloakUser[] };
  const users = options.users ? options.users(realm.users) : realm.users;
  const writeUsers = (change: (u: KeycloakUser[]) => KeycloakUser[]) =>
    writeFile(realmPath, JSON.stringify({ ...realm, users: change(structuredClone(users)) }));
  await writeUsers((u) => u);
  const sync = new DirectorySync({
    database: tdb.database,
    source: new RealmFileSource(realmPath),
    logger: createLogger('silent'),
  });
  const first = await sync.reconcileAll('startup');
  if (first.status !== 'succeeded')
    throw new Error(`the fixture's directory did not load: ${first.error}`);
  const verify = createTokenVerifier({
    issuer: issuer.issuer,
    audience: 'afenda-orchestrator',
    allowedClients: DEVELOPMENT_CLIENTS,
    algorithms: ['RS256'],
    clockToleranceSeconds: 5,
    cooldownSeconds: 30,
  });
  const { app, orchestrator } = await buildTestApp({
    database: tdb.database,
    auth: { verify, sync },
    env: options.env,
    databaseUrl: options.jobs ? tdb.appUrl : undefined,
    fetch: options.fetch,
    modules: options.modules,
  });
  const userId = (username: string) => {
    const id = users.find((u) => u.username === username)?.id;
    if (!id) throw new Error(`no user ${username} in the realm export`);
    return id;
  };
  return {
    tdb,
    issuer,
    app,
    orchestrator,
    sync,
    users,
    userId,
    ownerIn: (username, tenantId) => async (request) => {
      request.auth = {
        userId: userId(username),
        subject: userId(username),
        username,
        sessionId: null,
        tenantId,
        role: 'owner',
        canApprove: true,
      };
    },
    token: (username, claims = {}) =>
      issuer.token({ sub: userId(username), preferred_username: username, ...claims }),
    writeUsers,
    async close() {
      await app.close();
      await issuer.close();
      await tdb.drop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
