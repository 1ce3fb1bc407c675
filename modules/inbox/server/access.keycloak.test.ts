/**
 * Keycloak as the one source of access, against a real Keycloak (the server distribution,
 * scripts/keycloak.mjs, with the realm export imported): changes made through Keycloak's admin
 * API reach the orchestrator by the nudge (`POST /api/v1/webhooks/keycloak`, as the event
 * listener sends it) and Chatwoot through the access engine. Chatwoot can't run here: it is the
 * stateful double at the network boundary. Run by .ci/run with TEST_KEYCLOAK=1; a Keycloak that
 * cannot start fails the suite with its log, it is never skipped.
 */
import {
  createTestDatabase,
  startChatwootPlatformDouble,
  type ChatwootPlatformDouble,
  type TestDatabase,
} from '@afenda/test-utils';
import {
  adminToken,
  keycloakAdmin,
  passwordGrant,
  startKeycloak,
  type KeycloakServer,
} from '@afenda/test-utils/keycloak';
import { putModuleSettings } from '@afenda/platform/module-settings';
import { SecretBox } from '@afenda/platform/secrets';
import { createTokenVerifier } from '@afenda/orchestrator/auth/verify-token';
import { DEVELOPMENT_CLIENTS } from '@afenda/orchestrator/config';
import { KeycloakAdminSource } from '@afenda/orchestrator/domain/identity/directory-source';
import { DirectorySync } from '@afenda/orchestrator/domain/identity/sync';
import { createLogger } from '@afenda/orchestrator/logger';
import { buildTestApp, TEST_SETTINGS_KEY } from '@afenda/orchestrator/testing/app';
import type { FastifyInstance } from 'fastify';
import { accessProbes, until } from './access-testing.ts';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

const SERVICE_SECRET = 'afenda-orchestrator-test-secret';
const NUDGE_SECRET = 'keycloak-nudge-secret-for-tests';

let kc: KeycloakServer;
let tdb: TestDatabase;
let cw: ChatwootPlatformDouble;
let app: FastifyInstance;
let acmeAccount = 0;
let acme = '';

const { q, idle } = accessProbes(() => tdb);

const admin = async () => keycloakAdmin(kc.url, await adminToken(kc.url, kc.admin));
const keycloakId = async (username: string) => {
  const user = await (await admin()).findUser(username);
  if (!user?.id) throw new Error(`no Keycloak user ${username}`);
  return user.id;
};
/** What Keycloak's event listener sends after a change: the nudge, for one user. */
async function nudge(username: string) {
  const res = await app.inject({
    method: 'POST',
    url: '/api/v1/webhooks/keycloak',
    headers: { authorization: `Bearer ${NUDGE_SECRET}` },
    payload: { userId: await keycloakId(username) },
  });
  expect(res.statusCode, res.body).toBe(200);
}
const emailOf = (id: number) =>
  ['ada', 'arjun', 'alice', 'aaron', 'amelia']
    .map((n) => `${n}@acme.example`)
    .find((e) => cw.userByEmail(e)?.id === id) ?? `#${id}`;
const teams = () =>
  Object.fromEntries([...cw.teams(acmeAccount)].map(([name, ids]) => [name, ids.map(emailOf)]));
const roles = () =>
  Object.fromEntries([...cw.accountUsers(acmeAccount)].map(([id, role]) => [emailOf(id), role]));

beforeAll(async () => {
  cw = startChatwootPlatformDouble();
  acmeAccount = cw.local.createAccount('Acme Support');
  [kc, tdb] = await Promise.all([
    startKeycloak({ env: { AFENDA_ORCHESTRATOR_CLIENT_SECRET: SERVICE_SECRET } }),
    createTestDatabase({ poolMax: 12 }),
  ]);
  const sync = new DirectorySync({
    database: tdb.database,
    source: new KeycloakAdminSource(kc.issuer, 'afenda-orchestrator', SERVICE_SECRET),
    logger: createLogger('silent'),
  });
  const first = await sync.reconcileAll('startup');
  expect(first, JSON.stringify(first)).toMatchObject({ status: 'succeeded' });
  const verify = createTokenVerifier({
    issuer: kc.issuer,
    audience: 'afenda-orchestrator',
    allowedClients: DEVELOPMENT_CLIENTS,
    algorithms: ['RS256'],
    clockToleranceSeconds: 10,
    cooldownSeconds: 30,
  });
  ({ app } = await buildTestApp({
    database: tdb.database,
    auth: { verify, sync },
    databaseUrl: tdb.appUrl,
    fetch: cw.fetch,
    env: {
      CHATWOOT_PLATFORM_TOKEN: cw.platformToken,
      KEYCLOAK_WEBHOOK_SECRET: NUDGE_SECRET,
      ACCESS_SYNC_SCHEDULE: 'off',
      JOB_POLL_INTERVAL_MS: '50',
      JOB_MAX_ATTEMPTS: '100',
      JOB_BACKOFF_BASE_MS: '20',
      JOB_BACKOFF_MAX_MS: '200',
    },
  }));
  acme = (
    await q<{ id: string }>("select id from tenants where slug = 'acme' and kind = 'organization'")
  )[0]!.id;
  await putModuleSettings(
    { database: tdb.database, secrets: new SecretBox(TEST_SETTINGS_KEY) },
    acme,
    'inbox',
    {
      enabled: true,
      baseUrl: cw.url,
      apiToken: 'an-agent-bot-token',
      webhookSecret: 'secret-for-tests',
      options: { accountId: acmeAccount },
    },
  );
  // A change in Keycloak for anyone: the first reconcile of Acme's Chatwoot follows it.
  await nudge('ada');
  await until('Acme in Chatwoot', async () => roles()['alice@acme.example'] === 'agent');
  await idle();
}, 240_000);

afterEach(() => {
  // What Chatwoot would have refused in production fails the test here.
  expect(cw.violations).toEqual([]);
});

afterAll(async () => {
  await app?.close();
  await tdb?.drop();
  await kc?.stop();
}, 60_000);

describe('Keycloak → the tools, driven by a real Keycloak', () => {
  it("a user moved to another team in Keycloak: Chatwoot's teams follow after the nudge", async () => {
    expect(teams().support).toContain('alice@acme.example');
    const api = await admin();
    const alice = await keycloakId('alice');
    await api.removeUserFromGroup(alice, (await api.groupByPath('/acme/support')).id as string);
    await api.addUserToGroup(alice, (await api.groupByPath('/acme/sales')).id as string);
    await nudge('alice');
    await until('alice in sales, not support', async () => {
      const t = teams();
      return t.sales?.includes('alice@acme.example') && !t.support?.includes('alice@acme.example');
    });
    await idle();
    const entries = await q<{ title: string }>(
      "select title from activity_timeline where tenant_id = $1 and type = 'access.synced' and title like '%alice%sales%'",
      [acme],
    );
    expect(entries.length).toBeGreaterThan(0);
  });

  it('a promotion made inside Chatwoot is set back at the next run and recorded as drift', async () => {
    const aaron = cw.userByEmail('aaron@acme.example')!.id;
    cw.local.setRole(acmeAccount, aaron, 'administrator');
    // Chatwoot has no event for it: the next run (here after any Keycloak nudge) reads it back.
    await nudge('ada');
    await until('aaron an agent again', async () => roles()['aaron@acme.example'] === 'agent');
    await idle();
    const [state] = await q<{ status: string; drift_was: string }>(
      "select status, drift_was from access_state where tool = 'chatwoot' and subject = 'aaron@acme.example in Acme Corp'",
    );
    expect(state).toEqual({ status: 'repaired', drift_was: 'administrator' });
  });

  it('a user disabled in Keycloak: sessions and tokens refused, out of Chatwoot, on the timeline', async () => {
    const token = (
      await passwordGrant({ issuer: kc.issuer, username: 'amelia', password: 'demo-amelia' })
    ).access_token;
    const me = () =>
      app.inject({
        method: 'GET',
        url: '/api/v1/me',
        headers: { authorization: `Bearer ${token}` },
      });
    expect((await me()).statusCode).toBe(200);
    expect(roles()['amelia@acme.example']).toBe('agent');
    // Her Shell session (subject: her Keycloak id), as the Shell stores it.
    const subject = await keycloakId('amelia');
    await q(
      "insert into shell_sessions (id_hash, subject, data, expires_at) values ('amelia-session', $1, '{}', now() + interval '1 hour')",
      [subject],
    );
    const started = performance.now();
    await (await admin()).disableUser(await keycloakId('amelia'));
    await nudge('amelia');
    await until('amelia out of Chatwoot', async () => roles()['amelia@acme.example'] === undefined);
    const ms = Math.round(performance.now() - started);
    console.warn(`offboarding through a real Keycloak: disable → out of Chatwoot in ${ms} ms`);
    await idle();
    // Her token, still unexpired, is refused: the directory says she is disabled; her Shell
    // session is gone.
    expect((await me()).statusCode).toBe(401);
    expect(await q("select 1 from shell_sessions where id_hash = 'amelia-session'")).toEqual([]);
    const revoked = await q<{ title: string }>(
      "select title from activity_timeline where tenant_id = $1 and type = 'access.synced' and title like '%amelia%removed%'",
      [acme],
    );
    expect(revoked).toHaveLength(1);
  });
});
