/**
 * access-reconcile: Keycloak → Chatwoot for a large directory. 10,000 users in 200 teams over 20
 * organisations (BENCH_ACCESS_*), loaded into a throw-away PostgreSQL; Chatwoot is the stateful
 * double (packages/test-utils/src/chatwoot-platform-double.ts, in-process: no network) holding
 * the same state after a first, unmeasured run. Ours: the access engine's run of the Chatwoot
 * tool over every organisation, (1) with nothing to change, (2) with 1 % of the people drifted
 * inside Chatwoot (half promoted to administrator, half added to a team by hand), set back.
 * Baseline: a bare read of the same rows (each organisation's teams and members, and its
 * access_state) with node-postgres. Reported: the times and the ratio (no goal: lower is better).
 */
import { AccessEngine } from '@afenda/platform/access/engine';
import { SecretBox } from '@afenda/platform/secrets';
import { ChatwootAccounts } from '@afenda/module-inbox/server/accounts';
import { chatwootAccessTool } from '@afenda/module-inbox/server/access';
import { startChatwootPlatformDouble } from '@afenda/test-utils/chatwoot-platform-double';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { scope } from './lib/cleanup.ts';
import { openAppDatabase, startBenchPostgres } from './lib/postgres.ts';
import { positiveInt } from './lib/settings.ts';
import { round } from './lib/stats.ts';
import type { BenchResult, Goal } from './lib/types.ts';

export const name = 'access-reconcile';
export const goal: Goal = {
  lowerIsBetter: true,
  description: 'report: a reconcile with nothing to change vs a bare read of the same rows',
};

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

export function run(): Promise<BenchResult> {
  return scope(async (defer) => {
    const userCount = positiveInt('BENCH_ACCESS_USERS', 10_000);
    const teamCount = positiveInt('BENCH_ACCESS_TEAMS', 200);
    const orgCount = positiveInt('BENCH_ACCESS_ORGS', 20);
    const repeats = positiveInt('BENCH_ACCESS_REPEATS', 3);
    const embedded = await startBenchPostgres(defer);
    const admin = new pg.Pool({ connectionString: embedded.adminUrl, max: 2 });
    defer('close the admin pool', () => admin.end());
    const cw = startChatwootPlatformDouble();

    // The directory, as the directory sync would have written it.
    const load = performance.now();
    await admin.query(
      `insert into tenants (kind, slug, name)
       select 'organization', 'org-' || i, 'Org ' || i from generate_series(1, $1) i`,
      [orgCount],
    );
    // In slug order, as the teams and memberships below number them.
    const orgs = (
      await admin.query<{ id: string }>(
        "select id from tenants where kind = 'organization' order by slug",
      )
    ).rows.map((r) => r.id);
    await admin.query(
      `insert into tenants (kind, parent_id, slug, name)
       select 'team', (o.ids)[1 + (i % $2)], 'team-' || i, 'Team ' || i
         from generate_series(0, $1 - 1) i,
              (select array_agg(id order by slug) ids from tenants where kind = 'organization') o`,
      [teamCount, orgCount],
    );
    await admin.query(
      `insert into users (keycloak_id, username, email, display_name)
       select 'kc-' || i, 'user' || i, 'user' || i || '@bench.example', 'User ' || i
         from generate_series(0, $1 - 1) i`,
      [userCount],
    );
    // user i: organisation i % orgs (1 in 20 an admin), one of its teams.
    await admin.query(
      `with o as (select id, row_number() over (order by slug) - 1 as n from tenants where kind = 'organization'),
            t as (select id, parent_id, row_number() over (partition by parent_id order by slug) - 1 as n,
                         count(*) over (partition by parent_id) as c from tenants where kind = 'team'),
            u as (select id, substr(username, 5)::int as i from users)
       insert into user_tenants (tenant_id, user_id, role)
       select o.id, u.id, (case when u.i % 20 = 0 then 'admin' else 'member' end)::member_role
         from u join o on o.n = u.i % $1
       union all
       select t.id, u.id, 'member' from u join o on o.n = u.i % $1
         join t on t.parent_id = o.id and t.n = (u.i / $1) % t.c`,
      [orgCount],
    );
    const accountIds: number[] = [];
    for (const [n, org] of orgs.entries()) {
      accountIds.push(cw.local.createAccount(`Org ${n + 1}`));
      await admin.query(
        `insert into module_settings (tenant_id, module, enabled, base_url, options)
         values ($1, 'inbox', true, $2, $3)`,
        [org, cw.url, { accountId: accountIds[n] }],
      );
    }
    await admin.query('analyze');
    const loadMs = performance.now() - load;

    const database = openAppDatabase(embedded, 8, defer);
    const engine = new AccessEngine(database);
    engine.register(
      chatwootAccessTool({
        database,
        accounts: new ChatwootAccounts({
          database,
          secrets: new SecretBox(randomBytes(32).toString('base64')),
        }),
        platformToken: cw.platformToken,
        syncEmail: 'keycloak-sync@afenda.invalid',
        timeoutMs: 10_000,
        fetch: cw.fetch,
      }),
    );
    const reconcile = async () => {
      const started = performance.now();
      let changed = 0;
      let checked = 0;
      let failed = 0;
      for (const org of orgs) {
        const r = await engine.run('chatwoot', org, { trigger: 'manual', dryRun: false });
        changed += r.changes.length;
        checked += r.checked;
        failed += r.failed;
      }
      return { ms: performance.now() - started, changed, checked, failed };
    };

    // The double holds the same state: users adopted, account roles, teams and their members
    // (through its API as the platform app, and as an administrator would in Chatwoot's UI).
    const seed = performance.now();
    const platform = async (path: string, body: unknown) => {
      const res = await cw.fetch(`${cw.url}/platform/api/v1/${path}`, {
        method: 'POST',
        headers: { api_access_token: cw.platformToken, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      if (!res.ok) throw new Error(`seeding Chatwoot: ${res.status} ${await res.text()}`);
      return (await res.json()) as { id: number };
    };
    const people = await admin.query<{
      org: string;
      user_id: string;
      email: string;
      name: string;
      role: string;
      team: string;
    }>(
      `select o.tenant_id as org, u.id as user_id, u.email, u.display_name as name, o.role,
              lower(t.name) as team
         from user_tenants o join tenants ot on ot.id = o.tenant_id and ot.kind = 'organization'
         join users u on u.id = o.user_id
         join user_tenants m on m.user_id = u.id
         join tenants t on t.id = m.tenant_id and t.kind = 'team'`,
    );
    const mapping: string[][] = [];
    const teams = new Map<string, Map<string, number>>();
    for (const [n, org] of orgs.entries()) {
      const sync = await platform('users', {
        name: 'Keycloak sync',
        email: 'keycloak-sync@afenda.invalid',
        password: 'Bench-Passw0rd!',
      });
      await platform(`accounts/${accountIds[n]}/account_users`, {
        user_id: sync.id,
        role: 'administrator',
      });
      mapping.push([org, 'keycloak-sync@afenda.invalid', String(sync.id), '']);
      teams.set(org, new Map());
    }
    for (const p of people.rows) {
      const acc = accountIds[orgs.indexOf(p.org)]!;
      const user = await platform('users', {
        name: p.name,
        email: p.email,
        password: 'Bench-Passw0rd!',
      });
      await platform(`accounts/${acc}/account_users`, {
        user_id: user.id,
        role: p.role === 'member' ? 'agent' : 'administrator',
      });
      const mine = teams.get(p.org)!;
      if (!mine.has(p.team)) mine.set(p.team, cw.local.createTeam(acc, p.team));
      cw.local.addTeamMember(acc, p.team, user.id);
      mapping.push([p.org, p.email, String(user.id), p.user_id]);
    }
    for (let i = 0; i < mapping.length; i += 1000) {
      const rows = mapping.slice(i, i + 1000);
      await admin.query(
        `insert into inbox_chatwoot_users (tenant_id, email, chatwoot_user_id, user_id)
         select * from unnest($1::uuid[], $2::text[], $3::int[], $4::uuid[])`,
        [0, 1, 2, 3].map((c) => rows.map((r) => (c === 3 && !r[c] ? null : r[c]))),
      );
    }
    const seedMs = performance.now() - seed;
    // The first run records every subject (access_state) and must find nothing to change.
    const first = await reconcile();
    if (first.failed || first.changed)
      throw new Error(
        `the first run found ${first.changed} changes (${first.failed} failed): the double does not hold the directory's state`,
      );

    const bare = async () => {
      const started = performance.now();
      const client = await admin.connect();
      try {
        for (const org of orgs) {
          await client.query(
            `select t.id, t.kind, t.name, ut.role, u.id, u.username, u.display_name, u.email
               from tenants t
               left join user_tenants ut on ut.tenant_id = t.id
               left join users u on u.id = ut.user_id and u.enabled
              where t.id = $1 or (t.kind = 'team' and t.parent_id = $1)`,
            [org],
          );
          await client.query(
            "select * from access_state where tenant_id = $1 and tool = 'chatwoot'",
            [org],
          );
        }
      } finally {
        client.release();
      }
      return performance.now() - started;
    };

    const calls = () => cw.count();
    const quiet: Array<Awaited<ReturnType<typeof reconcile>>> = [];
    const bareMs: number[] = [];
    for (let i = 0; i < repeats; i++) {
      bareMs.push(await bare());
      quiet.push(await reconcile());
    }
    if (quiet.some((r) => r.changed))
      throw new Error('a reconcile with nothing to change changed something');
    const before = calls();
    await reconcile();
    const callsPerQuietRun = calls() - before;

    // 1 % drift inside Chatwoot: half promoted, half added to another team of their account.
    const drifted = Math.max(2, Math.round(userCount / 100));
    for (let k = 0; k < drifted; k++) {
      const i = Math.floor((k * userCount) / drifted) + 1;
      const user = cw.userByEmail(`user${i}@bench.example`);
      if (!user) throw new Error(`user${i} is not in Chatwoot`);
      const acc = accountIds[i % orgCount]!;
      if (k % 2 === 0) cw.local.setRole(acc, user.id, 'administrator');
      else {
        const mine = cw.teams(acc);
        const other = [...mine].find(([, ids]) => !ids.includes(user.id))![0];
        cw.local.addTeamMember(acc, other, user.id);
      }
    }
    const drift = await reconcile();
    if (drift.failed) throw new Error(`the drift run failed ${drift.failed} changes`);
    const after = await reconcile();
    if (after.changed) throw new Error('drift was not set back in one run');

    const quietMs = median(quiet.map((r) => r.ms));
    const bareMedian = median(bareMs);
    return {
      figure: round(quietMs, 1),
      baseline: round(bareMedian, 1),
      unit: 'ms',
      details: {
        users: userCount,
        teams: teamCount,
        organisations: orgCount,
        subjects: quiet[0]!.checked,
        loadMs: round(loadMs),
        firstRunMs: round(first.ms),
        seedMs: round(seedMs),
        quietRunsMs: quiet.map((r) => round(r.ms, 1)),
        bareReadsMs: bareMs.map((m) => round(m, 1)),
        chatwootCallsPerQuietRun: callsPerQuietRun,
        driftRunMs: round(drift.ms, 1),
        driftChanges: drift.changed,
        drifted,
      },
      extra: [
        {
          key: 'drift-1pct',
          goal: {
            lowerIsBetter: true,
            description: `report: ${drifted} people drifted (1 %), set back, vs the bare read`,
          },
          figure: round(drift.ms, 1),
          baseline: round(bareMedian, 1),
          unit: 'ms',
          summary: `access-reconcile: ${quiet[0]!.checked} subjects over ${orgCount} organisations; nothing to change ${round(quietMs)} ms (${callsPerQuietRun} Chatwoot calls), 1 % drift (${drift.changed} changes) ${round(drift.ms)} ms, bare read ${round(bareMedian, 1)} ms; first run ${round(first.ms)} ms`,
        },
      ],
    };
  });
}
