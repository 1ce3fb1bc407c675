/**
 * timeline-depth: a timeline page at depth. BENCH_TIMELINE_ROWS activity rows (10 million for
 * the full setting) over BENCH_TIMELINE_TENANTS tenants are generated in the database; then
 *
 * - the p99 latency of page 1,000 (50 rows a page, reached by its keyset cursor) against the p99
 *   of page 1, both through the orchestrator's `listActivity` as the unprivileged app role
 *   (goal ≤ 1.5×), and
 * - `timeline-depth/rls`: the page-1 query with row-level security (app role, set_config in a
 *   transaction, as `withTenant` sends it) against the same SQL text without it (superuser,
 *   explicit tenant filter only), in pages/s with the same number of clients (goal ≥ 0.9×).
 */
import type { Database } from '@afenda/db';
import { listActivity } from '@afenda/platform/activity/activity';
import { encodeCursor } from '@afenda/platform/cursor';
import { sql } from 'drizzle-orm';
import pg from 'pg';
import { scope } from './lib/cleanup.ts';
import { closedLoop, p50p99 } from './lib/closed-loop.ts';
import { captureStatements, type Statement } from './lib/pgbench.ts';
import { postmasterPid, openAppDatabase, startBenchPostgres } from './lib/postgres.ts';
import { positiveInt, readSettings } from './lib/settings.ts';
import { percentile, processTreeCpuSeconds, round, watchCpu } from './lib/stats.ts';
import type { BenchResult, Goal } from './lib/types.ts';

export const name = 'timeline-depth';
export const goal: Goal = {
  ratio: 1.5,
  lowerIsBetter: true,
  description: '≤ 1.5× page 1 (p99)',
};

/** The issue's figure: 10 million rows. Loading them takes a few minutes (see README). */
const FULL_ROWS = 10_000_000;
const PAGE_SIZE = 50;
/** The page measured: page 1,000, i.e. rows 49,951 to 50,000 of a tenant, newest first. */
const DEEP_PAGE = 1_000;
/** Rows of each large tenant, at least: 1,200 pages, so page 1,000 exists. */
const LARGE_TENANT_ROWS = 60_000;
/** Share of all rows that belongs to the large tenants (a tenth of them, at most). */
const LARGE_SHARE = 0.6;
const LOAD_CHUNK_ROWS = 1_000_000;

const log = (message: string) => console.log(`bench: timeline-depth: ${message}`);
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

/** A small seeded PRNG (mulberry32): the same tenant sequence on every run. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function latencySummary(values: number[]): { n: number; p50: number; p99: number; max: number } {
  return {
    n: values.length,
    p50: round(percentile(values, 50), 3),
    p99: round(percentile(values, 99), 3),
    max: round(percentile(values, 100), 3),
  };
}

interface Loaded {
  tenants: string[];
  large: string[];
  seconds: {
    tenants: number;
    rows: number;
    setLogged: number;
    indexes: number;
    foreignKeys: number;
    vacuum: number;
    total: number;
  };
  rowsPerSecond: number;
  tableMiB: number;
  indexesMiB: number;
  averageRowBytes: number;
  rowsPerLargeTenant: number;
  rowsPerOtherTenant: number;
}

/** Runs `jobs` on `clients` connections at once, each connection taking the next job when free. */
async function onClients(clients: pg.Client[], jobs: Array<(c: pg.Client) => Promise<unknown>>) {
  let next = 0;
  await Promise.all(
    clients.map(async (client) => {
      while (next < jobs.length) {
        const job = jobs[next++] as (c: pg.Client) => Promise<unknown>;
        await job(client);
      }
    }),
  );
}

/**
 * Generates the data set as the superuser (RLS does not apply to it): organisations, one user per
 * tenant for actor ids, then the timeline in set-based INSERT … SELECT generate_series chunks of a
 * million rows, two at a time. Rows are interleaved across tenants in time order, as an
 * append-only log fills: a tenth of the tenants (at most LARGE_SHARE · rows / LARGE_TENANT_ROWS
 * of them) share 60 % of the rows, the others the remaining 40 %.
 *
 * As a restore would, the load runs without the table's indexes and foreign keys and with the
 * table unlogged; afterwards the table is made logged again, the indexes and foreign keys are
 * recreated from their own definitions (read from the catalog, so they follow the migrations),
 * then VACUUM ANALYZE and a checkpoint. The table ends exactly as the migrations define it.
 */
async function load(
  admins: [pg.Client, pg.Client],
  rows: number,
  tenantCount: number,
): Promise<Loaded> {
  const [admin] = admins;
  const started = performance.now();
  const lap = (since: number) => round((performance.now() - since) / 1000, 1);
  const largeCount = Math.min(
    Math.floor(tenantCount / 10),
    Math.floor((rows * LARGE_SHARE) / LARGE_TENANT_ROWS),
  );
  if (largeCount < 1) {
    throw new Error(
      `BENCH_TIMELINE_ROWS=${rows} over BENCH_TIMELINE_TENANTS=${tenantCount} leaves no tenant with ${DEEP_PAGE} pages: use at least ${Math.ceil(LARGE_TENANT_ROWS / LARGE_SHARE)} rows and 10 tenants`,
    );
  }

  let t0 = performance.now();
  const tenantRows = await admin.query<{ id: string }>(
    `insert into tenants (kind, slug, name)
     select 'organization', 'bench-' || g, 'Bench organisation ' || g from generate_series(1, $1::int) g
     returning id`,
    [tenantCount],
  );
  const userRows = await admin.query<{ id: string }>(
    `insert into users (keycloak_id, username, display_name, email)
     select 'bench-' || g, 'user' || g, 'Bench User ' || g, 'user' || g || '@example.com'
     from generate_series(1, $1::int) g
     returning id`,
    [tenantCount],
  );
  const tenants = tenantRows.rows.map((r) => r.id);
  const users = userRows.rows.map((r) => r.id);
  const tenantsS = lap(t0);

  for (const client of admins) {
    await client.query("set maintenance_work_mem = '256MB'");
    await client.query('set synchronous_commit = off');
  }

  const { rows: indexes } = await admin.query<{
    name: string;
    def: string;
    contype: 'p' | 'u' | null;
  }>(
    `select i.relname as name, pg_get_indexdef(i.oid) as def,
            (select c.contype from pg_constraint c where c.conindid = i.oid
                and c.conrelid = x.indrelid and c.contype in ('p', 'u')) as contype
       from pg_index x join pg_class i on i.oid = x.indexrelid
      where x.indrelid = 'activity_timeline'::regclass`,
  );
  const { rows: foreignKeys } = await admin.query<{ name: string; def: string }>(
    `select conname as name, pg_get_constraintdef(oid) as def from pg_constraint
      where conrelid = 'activity_timeline'::regclass and contype = 'f'`,
  );
  for (const fk of foreignKeys) {
    await admin.query(`alter table activity_timeline drop constraint "${fk.name}"`);
  }
  for (const index of indexes) {
    await admin.query(
      index.contype
        ? `alter table activity_timeline drop constraint "${index.name}"`
        : `drop index "${index.name}"`,
    );
  }
  await admin.query('alter table activity_timeline set unlogged');

  // One row every `step` µs over the last 365 days, oldest first, with a sub-millisecond jitter;
  // row g goes to a large tenant when g % 10 < 6, round robin within each group. The first
  // largeCount tenants are the large ones.
  const stepUs = Math.max(1000, Math.floor((365 * 86_400e6) / rows));
  const insert = `
    insert into activity_timeline
      (tenant_id, id, occurred_at, actor_id, source, verb, subject_type, subject_id, type, title, description, data)
    select ($1::uuid[])[s.ti], gen_random_uuid(),
           now() - interval '365 days' + (s.g * $3::bigint + (s.g * 7919) % 997) * interval '1 microsecond',
           case when s.k = 2 then null else ($2::uuid[])[s.ti] end,
           (array['shell', 'shell', 'chatwoot', 'shell'])[s.k + 1],
           (array['submitted', 'approved', 'message_created', 'created'])[s.k + 1],
           (array['approval', 'approval', 'conversation', 'approval'])[s.k + 1],
           case when s.k = 2 then (s.g % 100000)::text else md5(s.g::text)::uuid::text end,
           (array['approval.submitted', 'approval.approved', 'conversation.message_created', 'approval.created'])[s.k + 1],
           (array['CEO approval requested: discount for order ', 'CEO approval approved: discount for order ',
                  'New message from Ada Lovelace in conversation ', 'Draft CEO approval: discount for order '])[s.k + 1] || s.g,
           case when s.k = 0 then 'Customer asks for 15 % off the renewal' else '' end,
           (array['{"approvalType": "ceo_approval", "status": "submitted"}'::jsonb,
                  '{"approvalType": "ceo_approval", "decision": "approved"}'::jsonb,
                  '{"inboxId": 3, "channel": "Channel::WebWidget"}'::jsonb,
                  '{"approvalType": "ceo_approval", "status": "draft"}'::jsonb])[s.k + 1]
      from (select g, (g / 10) % 4 as k,
                   case when g % 10 < 6 then 1 + ((g / 10) * 6 + g % 10) % $4::int
                        else 1 + $4::int + ((g / 10) * 4 + g % 10 - 6) % greatest(1, $5::int - $4::int) end as ti
              from generate_series($6::bigint, $7::bigint) g) s`;
  t0 = performance.now();
  let done = 0;
  const chunks: Array<(c: pg.Client) => Promise<unknown>> = [];
  for (let from = 0; from < rows; from += LOAD_CHUNK_ROWS) {
    const to = Math.min(rows, from + LOAD_CHUNK_ROWS) - 1;
    chunks.push(async (client) => {
      await client.query(insert, [tenants, users, stepUs, largeCount, tenantCount, from, to]);
      done += to - from + 1;
      const s = (performance.now() - t0) / 1000;
      log(`inserted ${fmt(done)} of ${fmt(rows)} rows (${round(s, 1)} s, ${fmt(done / s)} rows/s)`);
    });
  }
  await onClients(admins, chunks);
  const rowsS = lap(t0);

  t0 = performance.now();
  await admin.query('alter table activity_timeline set logged');
  const setLoggedS = lap(t0);
  log(`table logged again (${setLoggedS} s)`);

  t0 = performance.now();
  await onClients(
    admins,
    indexes.map((index) => (client) => client.query(index.def)),
  );
  for (const index of indexes) {
    if (index.contype) {
      await admin.query(
        `alter table activity_timeline add constraint "${index.name}" ${index.contype === 'p' ? 'primary key' : 'unique'} using index "${index.name}"`,
      );
    }
  }
  const indexesS = lap(t0);
  log(`rebuilt ${indexes.length} indexes (${indexesS} s)`);
  t0 = performance.now();
  for (const fk of foreignKeys) {
    await admin.query(`alter table activity_timeline add constraint "${fk.name}" ${fk.def}`);
  }
  const foreignKeysS = lap(t0);
  log(`re-added and validated ${foreignKeys.length} foreign keys (${foreignKeysS} s)`);
  t0 = performance.now();
  await admin.query('vacuum analyze activity_timeline');
  await admin.query('checkpoint');
  const vacuumS = lap(t0);
  log(`vacuum analyze + checkpoint (${vacuumS} s)`);

  const { rows: size } = await admin.query<{ heap: string; idx: string; avg: string }>(
    `select pg_table_size('activity_timeline') as heap, pg_indexes_size('activity_timeline') as idx,
            (select avg(pg_column_size(t.*)) from activity_timeline t tablesample system (1)) as avg`,
  );
  const { rows: counts } = await admin.query<{ large: string; other: string }>(
    `select (select count(*) from activity_timeline where tenant_id = $1) as large,
            (select count(*) from activity_timeline where tenant_id = $2) as other`,
    [tenants[0], tenants[tenantCount - 1]],
  );
  return {
    tenants,
    large: tenants.slice(0, largeCount),
    seconds: {
      tenants: tenantsS,
      rows: rowsS,
      setLogged: setLoggedS,
      indexes: indexesS,
      foreignKeys: foreignKeysS,
      vacuum: vacuumS,
      total: lap(started),
    },
    rowsPerSecond: Math.round(rows / rowsS),
    tableMiB: round(Number(size[0]?.heap) / 2 ** 20, 0),
    indexesMiB: round(Number(size[0]?.idx) / 2 ** 20, 0),
    averageRowBytes: round(Number(size[0]?.avg), 0),
    rowsPerLargeTenant: Number(counts[0]?.large),
    rowsPerOtherTenant: Number(counts[0]?.other),
  };
}

interface Deep {
  tenantId: string;
  cursor: string;
  /** occurred_at at the database's precision (microseconds), as the API's cursors carry it. */
  at: string;
  id: string;
  expectedIds: string[];
}

/**
 * Setup, not measurement: per large tenant, the keyset cursor that `listActivity` would hand out
 * at the end of page 999 (the row at offset 50 · 999 − 1), and the ids page 1,000 must hold.
 */
async function deepCursors(admin: pg.Client, large: string[]): Promise<Deep[]> {
  const offset = PAGE_SIZE * (DEEP_PAGE - 1) - 1;
  const out: Deep[] = [];
  for (const tenantId of large) {
    const { rows } = await admin.query<{ occurred_at: string; id: string }>(
      `select to_char(occurred_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as occurred_at, id
         from activity_timeline where tenant_id = $1
        order by occurred_at desc, id desc offset $2 limit $3`,
      [tenantId, offset, PAGE_SIZE + 1],
    );
    const last = rows[0];
    if (!last || rows.length < PAGE_SIZE + 1) {
      throw new Error(`tenant ${tenantId} has fewer than ${PAGE_SIZE * DEEP_PAGE} rows`);
    }
    out.push({
      tenantId,
      cursor: encodeCursor(last.occurred_at, last.id),
      at: last.occurred_at,
      id: last.id,
      expectedIds: rows.slice(1).map((r) => r.id),
    });
  }
  return out;
}

/** EXPLAIN of one statement on a client, as text lines. */
async function explain(
  client: pg.ClientBase,
  statement: Statement,
  analyze: boolean,
): Promise<string[]> {
  const { rows } = await client.query<{ 'QUERY PLAN': string }>({
    text: `explain (${analyze ? 'analyze, buffers, timing off, ' : ''}costs off) ${statement.text}`,
    values: statement.values,
  });
  return rows.map((r) => r['QUERY PLAN']);
}

function requireFeedIndexScan(plan: string[], what: string): void {
  if (!plan.some((l) => /Index Scan using activity_timeline_feed_idx/.test(l))) {
    throw new Error(
      `${what} is not an index scan on activity_timeline_feed_idx:\n${plan.join('\n')}`,
    );
  }
}

const printPlan = (title: string, plan: string[]) =>
  log(`${title}\n${plan.map((l) => `      ${l}`).join('\n')}`);

/** Replaces the captured tenant id in a statement's parameters. */
/** The statement for another tenant: in its parameters, and in its text (the data layer sends
 * BEGIN and the tenant setting as one query with the id as a literal). */
const forTenant = (s: Statement, from: string, to: string): Statement => ({
  text: s.text.replaceAll(from, to),
  values: s.values.map((v) => (v === from ? to : v)),
});

interface Side {
  label: string;
  /** Where its connections come from: opened before each measured round. */
  pool: pg.Pool;
  /** One page-1 request for a tenant; resolves to the number of rows returned. */
  request(tenantId: string): Promise<number>;
}

interface SideRun {
  pagesPerSecond: number;
  pages: number;
  seconds: number;
  latencyMs: { p50: number; p99: number };
  clientCpuMsPerPage: number;
  /** PostgreSQL's CPU (every process of the server) per page. */
  serverCpuMsPerPage?: number;
}

/**
 * Page-1 throughput of each side with `clients` concurrent requests, in `rounds` alternating
 * rounds of durationS / rounds seconds each (drift on a shared machine hits all sides alike).
 */
async function compareSides(
  sides: Side[],
  tenants: string[],
  clients: number,
  durationS: number,
  rounds: number,
  serverCpu: () => number | undefined,
): Promise<{ sides: Record<string, SideRun>; machineCpuBusy?: number }> {
  const acc = sides.map(() => ({
    pages: 0,
    seconds: 0,
    latencies: [] as number[],
    cpuS: 0,
    serverS: 0 as number | undefined,
  }));
  const machine = watchCpu([]);
  for (let r = 0; r < rounds; r += 1) {
    for (const [i, side] of sides.entries()) {
      const a = acc[i] as (typeof acc)[number];
      const next = random(1000 * r + i + 1);
      const server0 = serverCpu();
      const loop = await closedLoop(side.pool, clients, durationS / rounds, () =>
        side.request(tenants[Math.floor(next() * tenants.length)] as string),
      );
      const server1 = serverCpu();
      a.pages += loop.operations;
      a.seconds += loop.seconds;
      a.latencies.push(...loop.latencies);
      a.cpuS += loop.cpuSeconds;
      a.serverS =
        a.serverS === undefined || server0 === undefined || server1 === undefined
          ? undefined
          : a.serverS + server1 - server0;
    }
  }
  const out: Record<string, SideRun> = {};
  for (const [i, side] of sides.entries()) {
    const a = acc[i] as (typeof acc)[number];
    out[side.label] = {
      pagesPerSecond: round(a.pages / a.seconds, 1),
      pages: a.pages,
      seconds: round(a.seconds, 1),
      latencyMs: p50p99(a.latencies),
      clientCpuMsPerPage: round((a.cpuS * 1000) / Math.max(1, a.pages), 4),
      ...(a.serverS !== undefined
        ? { serverCpuMsPerPage: round((a.serverS * 1000) / Math.max(1, a.pages), 4) }
        : {}),
    };
  }
  const machineCpuBusy = machine.machineBusy();
  return { sides: out, ...(machineCpuBusy !== undefined ? { machineCpuBusy } : {}) };
}

/** The keyset condition as a bare row comparison query, without the data layer (a reference). */
function rowComparisonPage(database: Database, d: Deep): Promise<unknown> {
  return database.withTenant(d.tenantId, (tx) =>
    tx.execute(
      sql`select * from activity_timeline
           where tenant_id = ${d.tenantId}
             and (occurred_at, id) < (${d.at}::timestamptz, ${d.id}::uuid)
           order by occurred_at desc, id desc limit ${PAGE_SIZE + 1}`,
    ),
  );
}

export function run(): Promise<BenchResult> {
  return scope(async (defer) => {
    const settings = readSettings();
    const rows = positiveInt('BENCH_TIMELINE_ROWS', FULL_ROWS);
    const tenantCount = positiveInt('BENCH_TIMELINE_TENANTS', 1000);
    const samples = positiveInt('BENCH_TIMELINE_SAMPLES', 2000);
    const sampleBudgetS = positiveInt('BENCH_TIMELINE_SAMPLE_S', 6 * settings.durationS);
    const { clients, durationS, warmupS } = settings;
    if (rows < FULL_ROWS) {
      log(
        `${fmt(rows)} rows (BENCH_TIMELINE_ROWS): a reduced run; the issue's figure is at ${fmt(FULL_ROWS)}`,
      );
    }

    const embedded = await startBenchPostgres(defer);
    const admin = new pg.Client({ connectionString: embedded.adminUrl });
    await admin.connect();
    defer('close the admin connection', () => admin.end());
    const loader = new pg.Client({ connectionString: embedded.adminUrl });
    await loader.connect();
    defer('close the second loading connection', () => loader.end());

    log(`generating ${fmt(rows)} timeline rows over ${fmt(tenantCount)} tenants …`);
    const loaded = await load([admin, loader], rows, tenantCount);
    log(
      `loaded in ${loaded.seconds.total} s (rows ${loaded.seconds.rows} s at ${fmt(loaded.rowsPerSecond)} rows/s, then logging ${loaded.seconds.setLogged} s, indexes ${loaded.seconds.indexes} s, foreign keys ${loaded.seconds.foreignKeys} s, vacuum ${loaded.seconds.vacuum} s): ` +
        `table ${fmt(loaded.tableMiB)} MiB + indexes ${fmt(loaded.indexesMiB)} MiB, ~${loaded.averageRowBytes} B a row; ` +
        `${loaded.large.length} large tenants with ${fmt(loaded.rowsPerLargeTenant)} rows, the others ~${fmt(loaded.rowsPerOtherTenant)}`,
    );

    const t0 = performance.now();
    const deep = await deepCursors(admin, loaded.large);
    log(
      `cursors for page ${fmt(DEEP_PAGE)} of ${deep.length} tenants (${round((performance.now() - t0) / 1000, 1)} s)`,
    );

    // Our data layer as the app role, for listActivity.
    const database = openAppDatabase(embedded, clients, defer);

    // ---- Plans, once: page 1 and page 1,000 as listActivity sends them (app role, RLS).
    const probe = deep[0] as Deep;
    const page1Statements = await captureStatements(database, () =>
      listActivity(database, probe.tenantId, { limit: PAGE_SIZE }),
    );
    const deepStatements = await captureStatements(database, () =>
      listActivity(database, probe.tenantId, { limit: PAGE_SIZE, cursor: probe.cursor }),
    );
    const isSelect = (s: Statement) => /from "activity_timeline"/.test(s.text);
    const page1Select = page1Statements.find(isSelect);
    const deepSelect = deepStatements.find(isSelect);
    if (!page1Select || !deepSelect || page1Statements.length !== 3) {
      throw new Error(
        `listActivity sent an unexpected sequence: ${page1Statements.map((s) => s.text.slice(0, 40)).join(' | ')}`,
      );
    }
    const setConfig = page1Statements.find((s) => /set_config\('app.tenant_id'/.test(s.text));
    if (!setConfig) throw new Error('listActivity sent no set_config for app.tenant_id');

    const app = new pg.Client({ connectionString: embedded.appUrl });
    await app.connect();
    defer('close the app connection', () => app.end());
    await app.query('begin');
    await app.query(setConfig);
    const planRls = await explain(app, page1Select, true);
    const planDeep = await explain(app, deepSelect, true);
    await app.query('commit');
    const planNoRls = await explain(admin, page1Select, true);
    printPlan('page 1, app role (RLS):', planRls);
    printPlan('page 1, superuser (no RLS):', planNoRls);
    printPlan(`page ${fmt(DEEP_PAGE)}, app role (RLS), as listActivity sends it:`, planDeep);
    requireFeedIndexScan(planRls, 'page 1 with RLS');
    requireFeedIndexScan(planNoRls, 'page 1 without RLS');
    requireFeedIndexScan(planDeep, `page ${DEEP_PAGE}`);
    if (!planRls.some((l) => /current_setting/.test(l))) {
      throw new Error(`the app role's plan shows no RLS policy:\n${planRls.join('\n')}`);
    }
    if (planNoRls.some((l) => /current_setting/.test(l))) {
      throw new Error(`the superuser's plan applies the RLS policy:\n${planNoRls.join('\n')}`);
    }

    // ---- Page 1,000 against page 1: serial requests, random large tenant, random order.
    // Warm-up and check: every deep cursor once, and page 1,000 must hold exactly the rows at
    // offsets 49,950–49,999.
    for (const d of deep) {
      const page = await listActivity(database, d.tenantId, {
        limit: PAGE_SIZE,
        cursor: d.cursor,
      });
      const got = page.entries.map((e) => e.id);
      if (got.join() !== d.expectedIds.join()) {
        throw new Error(
          `page ${DEEP_PAGE} of tenant ${d.tenantId} is not rows ${PAGE_SIZE * (DEEP_PAGE - 1) + 1}–${PAGE_SIZE * DEEP_PAGE} (got ${got.length} rows, ${got.filter((id, i) => id === d.expectedIds[i]).length} in place)`,
        );
      }
      await listActivity(database, d.tenantId, { limit: PAGE_SIZE });
    }
    const next = random(42);
    const firstMs: number[] = [];
    const deepMs: number[] = [];
    const proposedMs: number[] = [];
    const warmupUntil = performance.now() + warmupS * 1000;
    const budgetUntil = warmupUntil + sampleBudgetS * 1000;
    let warm = false;
    log(
      `sampling page 1 and page ${fmt(DEEP_PAGE)}: ${samples} each, at most ${sampleBudgetS} s (BENCH_TIMELINE_SAMPLES, BENCH_TIMELINE_SAMPLE_S) …`,
    );
    while (firstMs.length < samples && performance.now() < budgetUntil) {
      const d = deep[Math.floor(next() * deep.length)] as Deep;
      const order = next() < 0.5 ? ['first', 'deep'] : ['deep', 'first'];
      const measured: Record<string, number> = {};
      for (const which of order) {
        const s = performance.now();
        await listActivity(database, d.tenantId, {
          limit: PAGE_SIZE,
          ...(which === 'deep' ? { cursor: d.cursor } : {}),
        });
        measured[which] = performance.now() - s;
      }
      const s = performance.now();
      await rowComparisonPage(database, d);
      const proposed = performance.now() - s;
      if (!warm) {
        warm = performance.now() >= warmupUntil;
        continue;
      }
      firstMs.push(measured.first as number);
      deepMs.push(measured.deep as number);
      proposedMs.push(proposed);
    }
    if (firstMs.length < 100) {
      throw new Error(
        `only ${firstMs.length} samples in ${sampleBudgetS} s: raise BENCH_TIMELINE_SAMPLE_S`,
      );
    }
    const first = latencySummary(firstMs);
    const deepPage = latencySummary(deepMs);
    const proposed = latencySummary(proposedMs);
    const capped = first.n < samples;
    log(
      `page 1 p50/p99 ${first.p50}/${first.p99} ms, page ${fmt(DEEP_PAGE)} ${deepPage.p50}/${deepPage.p99} ms (${first.n} samples each${capped ? ', capped by BENCH_TIMELINE_SAMPLE_S' : ''}); ` +
        `page ${fmt(DEEP_PAGE)} with a row comparison ${proposed.p50}/${proposed.p99} ms`,
    );

    // ---- RLS against no RLS: the same page-1 SQL text, all tenants at random.
    // Pipelined connections on both sides, as the data layer's (packages/db/src/client.ts).
    const appPool = new pg.Pool({
      connectionString: embedded.appUrl,
      max: clients,
      pipeline: true,
    });
    defer('close the app pool', () => appPool.end());
    const adminPool = new pg.Pool({
      connectionString: embedded.adminUrl,
      max: clients,
      pipeline: true,
    });
    defer('close the admin pool', () => adminPool.end());
    const captured = probe.tenantId;
    // Named when parameterised, as the data layer's statements are (parsed and planned once).
    const names = new Map<string, string>();
    const arrayRows = (s: Statement) => {
      let name = names.get(s.text);
      if (!name && s.values.length) names.set(s.text, (name = `bench_${names.size}`));
      return { ...s, rowMode: 'array' as const, ...(name ? { name } : {}) };
    };
    const wrapped =
      (pool: pg.Pool) =>
      async (tenantId: string): Promise<number> => {
        const client = await pool.connect();
        try {
          // As the data layer sends them: BEGIN with the settings, pipelined with the query.
          let n = 0;
          const [begin, ...rest] = page1Statements as [Statement, ...Statement[]];
          const begun = client.query(arrayRows(forTenant(begin, captured, tenantId)));
          for (const s of rest) {
            const r = await client.query(arrayRows(forTenant(s, captured, tenantId)));
            await begun;
            if (s === page1Select) n = r.rowCount ?? 0;
          }
          return n;
        } finally {
          client.release();
        }
      };
    const sides: Side[] = [
      { label: 'rls', pool: appPool, request: wrapped(appPool) },
      {
        label: 'noRls',
        pool: adminPool,
        request: async (tenantId) =>
          (await adminPool.query(arrayRows(forTenant(page1Select, captured, tenantId)))).rowCount ??
          0,
      },
      // Not part of the ratio: the superuser with withTenant's transaction and set_config around
      // the query, which tells the policy's cost from the wrapper's.
      { label: 'noRlsWrapped', pool: adminPool, request: wrapped(adminPool) },
    ];
    // Same answer on both sides, and RLS really filters for the app role.
    for (const tenantId of [probe.tenantId, loaded.tenants.at(-1) as string]) {
      const withRls = await sides[0]?.request(tenantId);
      const without = await sides[1]?.request(tenantId);
      if (withRls !== without || !withRls) {
        throw new Error(`page 1 differs with and without RLS: ${withRls} vs ${without} rows`);
      }
    }
    const bare = await appPool.query(arrayRows(page1Select));
    if (bare.rowCount !== 0) throw new Error('the app role read rows with no tenant set');

    log(`RLS against no RLS: ${clients} clients, ${durationS} s each side, 5 alternating rounds …`);
    const server = postmasterPid(embedded);
    const serverCpu = () => (server ? processTreeCpuSeconds(server) : undefined);
    await compareSides(sides, loaded.tenants, clients, warmupS, 1, serverCpu);
    const sideRuns = await compareSides(sides, loaded.tenants, clients, durationS, 5, serverCpu);
    const rls = sideRuns.sides.rls as SideRun;
    const noRls = sideRuns.sides.noRls as SideRun;
    const noRlsWrapped = sideRuns.sides.noRlsWrapped as SideRun;

    const rowsNote = rows < FULL_ROWS ? ` (reduced: ${fmt(rows)} rows)` : '';
    return {
      figure: deepPage.p99,
      baseline: first.p99,
      unit: 'ms p99',
      details: {
        summary:
          `page ${fmt(DEEP_PAGE)} p50/p99 ${deepPage.p50}/${deepPage.p99} ms vs page 1 ${first.p50}/${first.p99} ms, ${first.n} samples each, ${fmt(rows)} rows over ${fmt(tenantCount)} tenants${rowsNote}; ` +
          `as a row comparison (occurred_at, id) < (…) page ${fmt(DEEP_PAGE)} would be ${proposed.p50}/${proposed.p99} ms; load ${loaded.seconds.total} s`,
        rows,
        tenants: tenantCount,
        fullSetting: rows >= FULL_ROWS,
        pageSize: PAGE_SIZE,
        deepPage: DEEP_PAGE,
        largeTenants: loaded.large.length,
        load: { ...loaded, tenants: undefined, large: undefined },
        latencyMs: { page1: first, deep: deepPage, deepAsRowComparison: proposed },
        samplesWanted: samples,
        sampleBudgetS,
        warmupS,
        plans: { page1Rls: planRls, page1NoRls: planNoRls, deepRls: planDeep },
        statements: {
          page1: page1Statements.map((s) => s.text.replace(/\s+/g, ' ')),
          deepSelect: deepSelect.text,
        },
        rls: {
          clients,
          durationS,
          rounds: 5,
          ...sideRuns.sides,
          machineCpuBusy: sideRuns.machineCpuBusy,
        },
      },
      extra: [
        {
          key: 'rls',
          goal: { ratio: 0.9, description: '≥ 0.9× without RLS' },
          figure: rls.pagesPerSecond,
          baseline: noRls.pagesPerSecond,
          unit: 'pages/s',
          summary:
            `page 1 with RLS ${rls.pagesPerSecond} pages/s (p99 ${rls.latencyMs.p99} ms) vs without ${noRls.pagesPerSecond} pages/s (p99 ${noRls.latencyMs.p99} ms), ${clients} clients; ` +
            `superuser with the same transaction + set_config ${noRlsWrapped.pagesPerSecond} pages/s, so the policy itself costs ${round((1 - rls.pagesPerSecond / noRlsWrapped.pagesPerSecond) * 100, 0)} % and the wrapper ${round((1 - noRlsWrapped.pagesPerSecond / noRls.pagesPerSecond) * 100, 0)} %; ` +
            `CPU per page client/server: RLS ${rls.clientCpuMsPerPage}/${rls.serverCpuMsPerPage ?? '?'} ms, without ${noRls.clientCpuMsPerPage}/${noRls.serverCpuMsPerPage ?? '?'} ms`,
        },
      ],
    };
  });
}
