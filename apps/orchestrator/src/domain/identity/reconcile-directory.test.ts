import { buildDirectory, type KeycloakGroup, type KeycloakUser } from '@afenda/contracts';
import { createTestDatabase, type TestDatabase } from '@afenda/test-utils';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reconcileDirectory } from './reconcile-directory.ts';

const realm = JSON.parse(
  readFileSync(
    new URL('../../../../../deploy/keycloak/realm-afenda.json', import.meta.url),
    'utf8',
  ),
) as {
  groups: KeycloakGroup[];
  users: KeycloakUser[];
};

let tdb: TestDatabase;
beforeAll(async () => {
  tdb = await createTestDatabase();
});
afterAll(async () => tdb?.drop());

interface MembershipRow {
  username: string;
  slug: string;
  kind: string;
  role: string;
  can_approve: boolean;
}
async function memberships(): Promise<MembershipRow[]> {
  const { rows } = await tdb.admin.query<MembershipRow>(
    `select u.username, t.slug, t.kind, ut.role, ut.can_approve
       from user_tenants ut join users u on u.id = ut.user_id join tenants t on t.id = ut.tenant_id
      order by u.username, t.kind, t.slug`,
  );
  return rows;
}

describe('the demo directory, from the realm export', () => {
  it('gives each organisation two teams, an owner, an admin, two agents and a member', async () => {
    const result = await reconcileDirectory(
      tdb.database,
      buildDirectory(realm.groups, realm.users),
    );
    expect(result).toMatchObject({ usersCreated: 10, tenantsCreated: 16 });
    const rows = await memberships();
    for (const org of ['acme', 'globex']) {
      const inOrg = rows.filter((r) => r.slug === org);
      expect(inOrg.map((r) => r.role).sort()).toEqual([
        'admin',
        'member',
        'member',
        'member',
        'owner',
      ]);
      expect(inOrg.filter((r) => r.can_approve).map((r) => r.role)).toEqual(['owner']);
    }
    const { rows: teams } = await tdb.admin.query(
      `select p.slug as org, count(*)::int as teams from tenants t join tenants p on p.id = t.parent_id group by p.slug order by p.slug`,
    );
    expect(teams).toEqual([
      { org: 'acme', teams: 2 },
      { org: 'globex', teams: 2 },
    ]);
    expect(rows.filter((r) => r.username === 'alice').map((r) => [r.kind, r.slug, r.role])).toEqual(
      [
        ['organization', 'acme', 'member'],
        ['team', 'support', 'member'],
        ['individual', 'u-alice', 'owner'],
      ],
    );
  });

  it('is idempotent', async () => {
    const before = await memberships();
    const again = await reconcileDirectory(tdb.database, buildDirectory(realm.groups, realm.users));
    expect(again).toEqual({
      tenantsCreated: 0,
      usersCreated: 0,
      usersDisabled: 0,
      membershipsAdded: 0,
      membershipsRemoved: 0,
      membershipsChanged: 0,
    });
    expect(await memberships()).toEqual(before);
  });

  it('reconciles downward fully: removals and disabled users included', async () => {
    const users = realm.users
      .filter((u) => u.username !== 'aaron')
      .map((u) =>
        u.username === 'alice'
          ? { ...u, groups: [] }
          : u.username === 'amelia'
            ? { ...u, groups: [...(u.groups ?? []), '/acme/approvers'] }
            : u,
      );
    const result = await reconcileDirectory(tdb.database, buildDirectory(realm.groups, users));
    expect(result.usersDisabled).toBe(1);
    expect(result.membershipsRemoved).toBe(2 + 3); // alice: acme + support; aaron: personal + acme + support
    const rows = await memberships();
    expect(rows.filter((r) => r.username === 'alice').map((r) => r.slug)).toEqual(['u-alice']);
    expect(rows.filter((r) => r.username === 'aaron')).toEqual([]);
    expect(rows.find((r) => r.username === 'amelia' && r.slug === 'acme')).toMatchObject({
      role: 'member',
      can_approve: true,
    });
    // Each change is on the timeline of the organisation or team it concerns.
    const { rows: timeline } = await tdb.admin.query(
      `select a.type, a.title, a.source from activity_timeline a join tenants t on t.id = a.tenant_id
        where t.slug = 'acme' and a.type = 'membership.removed' order by a.title`,
    );
    expect(timeline).toEqual([
      { type: 'membership.removed', title: 'Aaron Berg left Acme Corp', source: 'keycloak' },
      { type: 'membership.removed', title: 'Alice Nguyen left Acme Corp', source: 'keycloak' },
    ]);
    const { rows: aaron } = await tdb.admin.query(
      "select enabled from users where username = 'aaron'",
    );
    expect(aaron).toEqual([{ enabled: false }]);
  });
});

describe('a reconcile scoped to one user', () => {
  it("touches only that user's memberships and disables nobody else", async () => {
    const users = realm.users.map((u) =>
      u.username === 'gita' ? { ...u, groups: ['/globex/support'] } : u,
    );
    const gita = users.find((u) => u.username === 'gita')!;
    const enabledBefore = (
      await tdb.admin.query('select count(*)::int as n from users where enabled')
    ).rows[0].n;
    const result = await reconcileDirectory(tdb.database, buildDirectory(realm.groups, [gita]), {
      only: [gita.id!],
    });
    expect(result).toMatchObject({ usersDisabled: 0, membershipsAdded: 1, membershipsRemoved: 1 });
    expect(
      (await tdb.admin.query('select count(*)::int as n from users where enabled')).rows[0].n,
    ).toBe(enabledBefore);
    const gone = await reconcileDirectory(tdb.database, buildDirectory(realm.groups, []), {
      only: [gita.id!],
    });
    expect(gone.usersDisabled).toBe(1);
  });
});
