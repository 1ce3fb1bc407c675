/**
 * The realm as code against a real Keycloak (scripts/keycloak.mjs; TEST_KEYCLOAK=1 in .ci/run):
 * `afenda realm apply` creates what is missing, updates what differs, changes nothing on a
 * second run, keeps the demo out of production, and answers mistakes in one line. It applies to
 * realms of other names than the imported one, which it leaves alone.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import {
  adminToken,
  keycloakAdmin,
  passwordGrant,
  startKeycloak,
  type KeycloakServer,
} from '@afenda/test-utils/keycloak';
import KcAdminClient from '@keycloak/keycloak-admin-client';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { runCli } from '../../cli/afenda.ts';
import { REPO_ROOT } from '../../paths.ts';
import { applyRealm, type RealmChange } from './realm-apply.ts';

const FILE = path.join(REPO_ROOT, 'deploy/keycloak/realm-afenda.json');
const realmFile = () => JSON.parse(readFileSync(FILE, 'utf8')) as Record<string, never>;
let kc: KeycloakServer;

beforeAll(async () => {
  kc = await startKeycloak({ timeoutMs: 150_000 });
}, 180_000);
afterAll(async () => {
  vi.unstubAllEnvs();
  await kc?.stop();
}, 60_000);

const apply = (
  name: string,
  env: Record<string, string>,
  extra: { demo?: boolean; dryRun?: boolean } = {},
) =>
  applyRealm({
    url: kc.url,
    admin: kc.admin,
    realm: realmFile(),
    env,
    name,
    demo: false,
    ...extra,
  });

const actions = (changes: RealmChange[]) =>
  Object.fromEntries(changes.map((c) => [`${c.kind} ${c.name}`, c.action]));

async function client(realm: string, clientId: string) {
  const admin = new KcAdminClient({ baseUrl: kc.url, realmName: 'master' });
  await admin.auth({ grantType: 'password', clientId: 'admin-cli', ...kc.admin });
  admin.setConfig({ realmName: realm });
  const [found] = await admin.clients.find({ clientId });
  return { found, admin };
}

const PROD_ENV = {
  SHELL_PUBLIC_URL: 'https://work.example.test',
  PUBLIC_URL: 'https://api.example.test',
  AFENDA_SHELL_CLIENT_SECRET: 'shell-secret-1',
  AFENDA_ORCHESTRATOR_CLIENT_SECRET: 'orchestrator-secret-1',
  AFENDA_SYNAPSE_CLIENT_SECRET: 'synapse-secret-1',
  SYNAPSE_PUBLIC_BASEURL: 'https://matrix.example.test',
};

describe('the realm as code (a real Keycloak)', () => {
  it('production: the clients at their public URLs, no demo users, groups or test client', async () => {
    const first = await apply('afenda-prod', PROD_ENV);
    expect(actions(first)).toEqual({
      'realm afenda-prod': 'created',
      'role afenda-user': 'created',
      'client afenda-shell': 'created',
      'client mapper afenda-shell/groups': 'created',
      'client mapper afenda-shell/audience afenda-orchestrator': 'created',
      'client afenda-api-docs': 'created',
      'client mapper afenda-api-docs/groups': 'created',
      'client mapper afenda-api-docs/audience afenda-orchestrator': 'created',
      'client afenda-orchestrator': 'created',
      'client synapse': 'created',
    });
    const { found: shell, admin } = await client('afenda-prod', 'afenda-shell');
    expect(shell).toMatchObject({
      redirectUris: ['https://work.example.test/auth/callback'],
      webOrigins: ['https://work.example.test'],
    });
    expect(shell?.attributes?.['post.logout.redirect.uris']).toBe('https://work.example.test/*');
    expect(shell?.attributes?.['backchannel.logout.url']).toBe(
      'https://work.example.test/auth/backchannel-logout',
    );
    expect((await admin.clients.getClientSecret({ id: shell!.id! })).value).toBe('shell-secret-1');
    const [synapse] = await admin.clients.find({ clientId: 'synapse' });
    expect(synapse?.redirectUris).toEqual([
      'https://matrix.example.test/_synapse/client/oidc/callback',
    ]);
    expect(await admin.users.count()).toBe(0);
    expect(await admin.groups.count()).toEqual({ count: 0 });
    expect(await admin.clients.find({ clientId: 'afenda-test' })).toEqual([]);

    // Again: nothing to do.
    const again = await apply('afenda-prod', PROD_ENV);
    expect(again.filter((c) => c.action !== 'unchanged')).toEqual([]);
  }, 60_000);

  it('re-applies what changed (a new public URL, a rotated secret); a dry run changes nothing', async () => {
    const moved = { ...PROD_ENV, SHELL_PUBLIC_URL: 'https://shell.example.test' };
    const dry = await apply('afenda-prod', moved, { dryRun: true });
    expect(dry.filter((c) => c.action !== 'unchanged')).toEqual([
      {
        kind: 'client',
        name: 'afenda-shell',
        action: 'updated',
        fields: ['redirectUris', 'webOrigins', 'attributes'],
      },
    ]);
    expect((await client('afenda-prod', 'afenda-shell')).found?.redirectUris).toEqual([
      'https://work.example.test/auth/callback',
    ]);

    const rotated = { ...moved, AFENDA_ORCHESTRATOR_CLIENT_SECRET: 'orchestrator-secret-2' };
    const changed = await apply('afenda-prod', rotated);
    expect(changed.filter((c) => c.action !== 'unchanged')).toEqual([
      {
        kind: 'client',
        name: 'afenda-shell',
        action: 'updated',
        fields: ['redirectUris', 'webOrigins', 'attributes'],
      },
      { kind: 'client', name: 'afenda-orchestrator', action: 'updated', fields: ['secret'] },
    ]);
    const { found, admin } = await client('afenda-prod', 'afenda-orchestrator');
    expect((await admin.clients.getClientSecret({ id: found!.id! })).value).toBe(
      'orchestrator-secret-2',
    );
    expect((await client('afenda-prod', 'afenda-shell')).found?.redirectUris).toEqual([
      'https://shell.example.test/auth/callback',
    ]);
    expect((await apply('afenda-prod', rotated)).every((c) => c.action === 'unchanged')).toBe(true);
  }, 60_000);

  it('demo: the whole export, people included, and they can sign in', async () => {
    const first = await apply('afenda-demo', {}, { demo: true });
    const created = first.filter((c) => c.action === 'created');
    expect(created.filter((c) => c.kind === 'user').map((c) => c.name)).toContain('alice');
    expect(created.some((c) => c.kind === 'group' && c.name === '/acme/support')).toBe(true);
    expect(created.some((c) => c.kind === 'client' && c.name === 'afenda-test')).toBe(true);
    const tokens = await passwordGrant({
      issuer: `${kc.url}/realms/afenda-demo`,
      username: 'alice',
      password: 'demo-alice',
    });
    const claims = JSON.parse(
      Buffer.from(tokens.access_token.split('.')[1]!, 'base64url').toString(),
    ) as { groups?: string[] };
    expect(claims.groups).toEqual(['/acme/support']);
    const again = await apply('afenda-demo', {}, { demo: true });
    expect(again.filter((c) => c.action !== 'unchanged')).toEqual([]);
    // The imported realm was left alone.
    const imported = keycloakAdmin(kc.url, await adminToken(kc.url, kc.admin));
    expect((await imported.findUser('alice'))?.username).toBe('alice');
  }, 60_000);

  it('the command: one table, and one line for each ordinary mistake', async () => {
    const run = async (...argv: string[]) => {
      const out: string[] = [];
      const err: string[] = [];
      const code = await runCli(argv, { out: (l) => out.push(l), err: (l) => err.push(l) });
      return { code, out, err };
    };
    vi.stubEnv('KEYCLOAK_URL', '');
    vi.stubEnv('KEYCLOAK_ISSUER', '');
    expect(await run('realm', 'apply')).toMatchObject({
      code: 1,
      err: [expect.stringMatching(/^afenda realm: set KEYCLOAK_URL/)],
    });
    vi.stubEnv('KEYCLOAK_ISSUER', `${kc.url}/realms/afenda`);
    vi.stubEnv('KEYCLOAK_ADMIN_USERNAME', kc.admin.username);
    vi.stubEnv('KEYCLOAK_ADMIN_PASSWORD', 'wrong');
    expect(await run('realm', 'apply')).toMatchObject({
      code: 1,
      err: [expect.stringMatching(/refused the administrator .* \(401\): check KEYCLOAK_ADMIN/)],
    });
    vi.stubEnv('KEYCLOAK_ADMIN_PASSWORD', kc.admin.password);
    const dry = await run('realm', 'apply', '--dry-run');
    expect(dry.code).toBe(0);
    expect(dry.out[0]).toMatch(/^KIND\s+NAME\s+ACTION\s+WHAT$/);
    // The imported realm "afenda" in production terms: the demo parts are not touched, and
    // the dev-placeholder URLs resolve to the same loopback addresses the import used.
    expect(dry.out.find((l) => l.startsWith('realm'))).toMatch(/^realm\s+afenda\s+unchanged/);
    vi.stubEnv('KEYCLOAK_URL', 'http://127.0.0.1:9');
    expect(await run('realm', 'apply')).toMatchObject({
      code: 1,
      err: [
        expect.stringMatching(/^afenda realm: Keycloak does not answer at http:\/\/127\.0\.0\.1:9/),
      ],
    });
  }, 60_000);
});
