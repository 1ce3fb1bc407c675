/**
 * Keycloak → Chatwoot through the access engine: the real app, its job workers and outbox on a
 * real PostgreSQL, the directory from the realm export (rewritten as if Keycloak changed), and
 * Chatwoot replaced at the network boundary by a stateful double that refuses what Chatwoot
 * refuses (a wrong token, a resource the platform app doesn't own): a misuse fails here too.
 */
import {
  startChatwootPlatformDouble,
  type ChatwootPlatformDouble,
  type TestDatabase,
} from '@afenda/test-utils';
import { putModuleSettings } from '@afenda/platform/module-settings';
import { SecretBox } from '@afenda/platform/secrets';
import type { AccessEngine } from '@afenda/platform/access/engine';
import { startIdentityFixture, type IdentityFixture } from '@afenda/orchestrator/testing/fixture';
import { TEST_SETTINGS_KEY } from '@afenda/orchestrator/testing/app';
import { randomUUID } from 'node:crypto';
import { accessProbes, until } from './access-testing.ts';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

let fx: IdentityFixture;
let tdb: TestDatabase;
let cw: ChatwootPlatformDouble;
let engine: AccessEngine;
const tenant: Record<string, string> = {};
const account: Record<string, number> = {};
const inbox: Record<string, number> = {};
let probeRuns = 0;
const SYNC = 'keycloak-sync@afenda.invalid';

const { q, idle } = accessProbes(() => tdb);

/** A run of Chatwoot's access for every organisation, through the outbox, awaited. */
async function reconcile() {
  await engine.enqueue({ trigger: 'manual', key: randomUUID(), tools: ['chatwoot'] });
  await idle();
}

const idOf = (email: string) => cw.userByEmail(email)!.id;
const rolesIn = (org: string) =>
  Object.fromEntries(
    [...cw.accountUsers(account[org]!)].map(([id, role]) => [
      cw.userByEmail(SYNC)?.id === id ? 'sync' : emailOf(id),
      role,
    ]),
  );
const emailOf = (id: number) =>
  ['ada', 'arjun', 'alice', 'aaron', 'amelia', 'old', 'gloria', 'gavin', 'grace', 'george', 'gita']
    .map((n) => `${n}@${n.startsWith('g') ? 'globex' : 'acme'}.example`)
    .find((e) => cw.userByEmail(e)?.id === id) ?? `#${id}`;
const inboxesIn = (org: string) =>
  Object.fromEntries(
    [...cw.inboxMembers(account[org]!)].map(([name, ids]) => [
      name,
      ids.map((id) => (cw.userByEmail(SYNC)?.id === id ? 'sync' : emailOf(id))).sort(),
    ]),
  );
const ACME_PEOPLE = ['ada', 'arjun', 'alice', 'aaron', 'amelia'].map((n) => `${n}@acme.example`);
const teamsIn = (org: string) =>
  Object.fromEntries([...cw.teams(account[org]!)].map(([name, ids]) => [name, ids.map(emailOf)]));

/** Rewrites the realm (from the original) and lets the directory sync pick it up. */
async function keycloak(
  change: (u: { username: string; groups?: string[]; enabled?: boolean }) => object,
) {
  await fx.writeUsers((users) => users.map((u) => ({ ...u, ...change(u) })));
  const run = await fx.sync.reconcileAll('manual');
  expect(run.status).toBe('succeeded');
}

beforeAll(async () => {
  cw = startChatwootPlatformDouble();
  account.acme = cw.local.createAccount('Acme Support');
  account.globex = cw.local.createAccount('Globex Support');
  inbox.website = cw.local.createInbox(account.acme, 'Website');
  // Before the workspace: alice signed up in Chatwoot herself, and someone Keycloak doesn't know
  // administers Acme's account.
  cw.local.createUser('Alice (her own)', 'alice@acme.example');
  cw.local.setRole(
    account.acme,
    cw.local.createUser('Old admin', 'old@acme.example'),
    'administrator',
  );
  fx = await startIdentityFixture({
    jobs: true,
    poolMax: 12,
    fetch: cw.fetch,
    env: {
      CHATWOOT_PLATFORM_TOKEN: cw.platformToken,
      ACCESS_SYNC_SCHEDULE: 'off',
      JOB_POLL_INTERVAL_MS: '50',
      JOB_MAX_ATTEMPTS: '100',
      JOB_BACKOFF_BASE_MS: '20',
      JOB_BACKOFF_MAX_MS: '200',
    },
  });
  tdb = fx.tdb;
  engine = fx.orchestrator.platform.access;
  // Another tool, to show one tool's trouble doesn't hold up the others.
  engine.register({
    id: 'probe',
    name: 'Probe',
    guard: 'prevented',
    configured: () => true,
    plan: async () => {
      probeRuns++;
      return [];
    },
  });
  for (const r of await q<{ slug: string; id: string }>(
    "select slug, id from tenants where kind = 'organization'",
  ))
    tenant[r.slug] = r.id;
  for (const org of ['acme', 'globex'])
    await putModuleSettings(
      { database: tdb.database, secrets: new SecretBox(TEST_SETTINGS_KEY) },
      tenant[org]!,
      'inbox',
      {
        enabled: true,
        baseUrl: cw.url,
        apiToken: 'an-agent-bot-token',
        webhookSecret: 'secret-for-tests',
        options: { accountId: account[org] },
      },
    );
  fx.orchestrator.modules
    .find((m) => m.module.manifest.id === 'inbox')
    ?.parts.onTenantSettingsChanged?.(tenant.acme!);
}, 60_000);

afterEach(() => {
  // What Chatwoot would have refused in production fails the test here.
  expect(cw.violations).toEqual([]);
});

afterAll(async () => {
  await fx?.close();
});

describe('access: Keycloak → Chatwoot through the engine', () => {
  it('is a tool that is repaired, configured by the platform token', () => {
    const tool = engine.tool('chatwoot');
    expect(tool).toMatchObject({ name: 'Chatwoot', guard: 'repaired' });
    expect(tool?.configured()).toBe(true);
  });

  it('first run: agents created or adopted, roles, teams with their members, strangers out', async () => {
    await reconcile();
    expect(rolesIn('acme')).toEqual({
      sync: 'administrator',
      'ada@acme.example': 'administrator',
      'arjun@acme.example': 'administrator',
      'alice@acme.example': 'agent',
      'aaron@acme.example': 'agent',
      'amelia@acme.example': 'agent',
    });
    // alice was adopted, her own password untouched.
    expect(cw.userByEmail('alice@acme.example')?.password).toBe('set-in-chatwoot');
    expect(teamsIn('acme')).toMatchObject({
      support: ['arjun@acme.example', 'alice@acme.example', 'aaron@acme.example'].sort(
        (a, b) => idOf(a) - idOf(b),
      ),
      sales: ['amelia@acme.example'],
    });
    // Every agent and administrator in every inbox of the account.
    expect(inboxesIn('acme')).toEqual({ Website: [...ACME_PEOPLE].sort() });
    expect(Object.keys(rolesIn('globex')).sort()).toEqual(
      ['gavin', 'george', 'gita', 'gloria', 'grace']
        .map((n) => `${n}@globex.example`)
        .concat('sync')
        .sort(),
    );
    const states = await q<{ subject: string; status: string; desired: string | null }>(
      "select subject, status, desired from access_state where tool = 'chatwoot' and tenant_id = $1",
      [tenant.acme],
    );
    expect(
      states.find((s) => s.subject === 'alice@acme.example in team support of Acme Corp'),
    ).toMatchObject({ status: 'in_sync', desired: 'member of team support' });
    expect(states.some((s) => s.subject.startsWith('old@acme.example'))).toBe(false);
    const [run] = await q<{ status: string }>(
      "select status from sync_runs where source = 'access:chatwoot' order by started_at desc limit 1",
    );
    expect(run?.status).toBe('succeeded');
    // In step: a second run reads and changes nothing.
    const writes = () =>
      cw.calls.filter((c) => c.method !== 'GET' && !c.path.endsWith('/token')).length;
    const before = writes();
    await reconcile();
    expect(writes()).toBe(before);
  });

  it('a changed team in the directory moves the agent', async () => {
    await keycloak((u) => (u.username === 'alice' ? { groups: ['/acme/sales'] } : {}));
    await reconcile();
    expect(teamsIn('acme').support).not.toContain('alice@acme.example');
    expect(teamsIn('acme').sales).toContain('alice@acme.example');
    const entries = await q<{ title: string }>(
      "select title from activity_timeline where tenant_id = $1 and type = 'access.synced' and title like '%alice%'",
      [tenant.acme],
    );
    expect(entries.map((e) => e.title).join('\n')).toMatch(
      /in team sales .*→ member of team sales/,
    );
  });

  it('a promotion inside Chatwoot is set back and recorded as drift', async () => {
    const aaron = idOf('aaron@acme.example');
    cw.local.setRole(account.acme!, aaron, 'administrator');
    cw.local.addTeamMember(account.acme!, 'sales', aaron);
    await reconcile();
    expect(rolesIn('acme')['aaron@acme.example']).toBe('agent');
    expect(teamsIn('acme').sales).not.toContain('aaron@acme.example');
    const [state] = await q<{ status: string; drift_was: string; actual: string }>(
      "select status, drift_was, actual from access_state where tool = 'chatwoot' and subject = 'aaron@acme.example in Acme Corp'",
    );
    expect(state).toMatchObject({
      status: 'repaired',
      drift_was: 'administrator',
      actual: 'agent',
    });
    const drift = await q<{ title: string }>(
      "select title from activity_timeline where tenant_id = $1 and type = 'access.drift-repaired'",
      [tenant.acme],
    );
    expect(drift.map((d) => d.title).join('\n')).toMatch(
      /aaron@acme\.example in Acme Corp was administrator outside Keycloak; set back to agent/,
    );
  });

  it('inbox membership follows the directory: one set by hand is reset, a new inbox filled', async () => {
    // Inside Chatwoot: the sync's administrator added to an inbox, alice taken out of it.
    cw.local.addInboxMember(account.acme!, inbox.website!, idOf(SYNC));
    cw.local.removeInboxMember(account.acme!, inbox.website!, idOf('alice@acme.example'));
    cw.local.createInbox(account.acme!, 'Phone');
    await reconcile();
    expect(inboxesIn('acme')).toEqual({
      Website: [...ACME_PEOPLE].sort(),
      Phone: [...ACME_PEOPLE].sort(),
    });
    const [state] = await q<{ status: string; drift_was: string | null; actual: string }>(
      "select status, drift_was, actual from access_state where tool = 'chatwoot' and subject = $1",
      ['alice@acme.example in inbox Website of Acme Corp'],
    );
    expect(state).toEqual({
      status: 'repaired',
      drift_was: null,
      actual: 'member of inbox Website',
    });
    // In step again: one call per inbox at most, none now.
    const before = cw.count('PATCH /api/v1/accounts/:id/inbox_members');
    await reconcile();
    expect(cw.count('PATCH /api/v1/accounts/:id/inbox_members')).toBe(before);
    expect(cw.violations).toEqual([]);
  });

  it('a dry run plans and changes nothing', async () => {
    cw.local.setRole(account.acme!, idOf('amelia@acme.example'), 'administrator');
    const before = cw.snapshot();
    const plan = await engine.run('chatwoot', tenant.acme!, { trigger: 'manual', dryRun: true });
    expect(plan.changes).toContainEqual(
      expect.objectContaining({
        subject: 'amelia@acme.example in Acme Corp',
        before: 'administrator',
        after: 'agent',
        why: 'drift',
      }),
    );
    expect(cw.snapshot()).toBe(before);
    await reconcile();
    expect(rolesIn('acme')['amelia@acme.example']).toBe('agent');
  });

  it('a disabled user and one removed from the organisation leave the account', async () => {
    await keycloak((u) =>
      u.username === 'amelia' ? { enabled: false } : u.username === 'aaron' ? { groups: [] } : {},
    );
    await reconcile();
    const roles = rolesIn('acme');
    expect(roles['amelia@acme.example']).toBeUndefined();
    expect(roles['aaron@acme.example']).toBeUndefined();
    expect(Object.values(teamsIn('acme')).flat()).not.toContain('aaron@acme.example');
    const gone = await q<{ title: string }>(
      "select title from activity_timeline where tenant_id = $1 and type = 'access.synced' and title like '%amelia%removed%'",
      [tenant.acme],
    );
    expect(gone).toHaveLength(1);
  });

  it('Chatwoot answering 500: the run fails with the error, the outbox retries, other tools go on', async () => {
    cw.failNext(1_000_000, 500, 'POST /api/v1/accounts/:id/teams/:id/team_members');
    const probesBefore = probeRuns;
    await keycloak((u) => (u.username === 'aaron' ? { groups: ['/acme/sales'] } : {}));
    const failing = await until('the failing state', async () => {
      const [row] = await q<{ status: string; error: string }>(
        "select status, error from access_state where tool = 'chatwoot' and subject = 'aaron@acme.example in team sales of Acme Corp'",
      );
      return row?.status === 'failing' ? row : undefined;
    });
    expect(failing.error).toMatch(/Chatwoot answered 500 to POST/);
    // The account role went through; only the team call waits.
    expect(rolesIn('acme')['aaron@acme.example']).toBe('agent');
    const retried = await until('a retry', async () => {
      const [row] = await q<{ attempts: number; last_error: string }>(
        "select attempts, last_error from outbound_actions where kind = 'access.reconcile' and payload->>'tool' = 'chatwoot' and status = 'failed' and tenant_id = $1",
        [tenant.acme],
      );
      return row && row.attempts >= 2 ? row : undefined;
    });
    expect(retried.last_error).toMatch(/changes failed/);
    await until('the probe to run', async () => probeRuns > probesBefore);
    const probes = await q<{ status: string }>(
      "select status from outbound_actions where kind = 'access.reconcile' and payload->>'tool' = 'probe' and status <> 'done'",
    );
    expect(probes).toEqual([]);
    // Chatwoot is back: the next attempt applies it.
    cw.failNext(0);
    await idle();
    expect(teamsIn('acme').sales).toContain('aaron@acme.example');
    const [state] = await q<{ status: string }>(
      "select status from access_state where tool = 'chatwoot' and subject = 'aaron@acme.example in team sales of Acme Corp'",
    );
    expect(state?.status).toBe('in_sync');
  });
});
