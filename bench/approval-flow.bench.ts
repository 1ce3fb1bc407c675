/**
 * approval-flow: complete approval flows per second through the orchestrator's domain layer,
 * against the database's ceiling from the foundation benchmark (pgbench's single-row durable
 * inserts per second with the same number of clients, on the same server).
 *
 * A flow is what the API does for one request in three calls, each its own transaction:
 * createApproval (a draft), submitApproval (by its requester), decideApproval (approved, by an
 * owner of the tenant). Each writes the approval, a ledger event (hash-chained by a trigger under
 * a per-tenant advisory lock) and a timeline entry. No fixed goal: the ratio is reported.
 */
import type { Database } from '@afenda/db';
import type { Actor } from '@afenda/platform/context';
import { ceoApproval } from '@afenda/module-inbox/server/approval-type';
import { createApproval } from '@afenda/platform/approvals/create-approval';
import { ApprovalRegistry } from '@afenda/platform/approvals/registry';
import { decideApproval, submitApproval } from '@afenda/platform/approvals/transition-approval';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { scope } from './lib/cleanup.ts';
import { closedLoop, p50p99 } from './lib/closed-loop.ts';
import { captureStatements, preparePgbench, runPgbench, type Statement } from './lib/pgbench.ts';
import { postmasterPid, openAppDatabase, startBenchPostgres } from './lib/postgres.ts';
import { positiveInt, readSettings } from './lib/settings.ts';
import { processTreeCpuSeconds, round } from './lib/stats.ts';
import type { BenchResult, Goal } from './lib/types.ts';
import { measureInserts, pgbenchWebhookInsert } from './lib/webhook-insert.ts';

export const name = 'approval-flow';
export const goal: Goal = { description: 'report' };

/** Transactions per flow: create, submit, approve. */
const STEPS = ['create', 'submit', 'approve'] as const;
type Step = (typeof STEPS)[number];
/** Rows a flow writes: approvals 1 insert + 2 updates, approval_events 3, activity_timeline 3. */
const ROWS_WRITTEN = { approvals: 3, approvalEvents: 3, activityTimeline: 3 };
const ROWS_PER_FLOW = Object.values(ROWS_WRITTEN).reduce((a, b) => a + b, 0);

const log = (message: string) => console.log(`bench: approval-flow: ${message}`);
const pct = (v: number | undefined) => (v === undefined ? '?' : `${Math.round(v * 100)}%`);

/** The approval types the flows use: the kernel's and the Inbox's ceo_approval, no hooks. */
const types = new ApprovalRegistry();
types.register(ceoApproval);

interface Pair {
  tenantId: string;
  requester: Actor;
  approver: Actor;
}

/**
 * As the superuser (RLS and the sync-only directory policies do not apply to it): `count`
 * organisations, each with a requester (member) and an approver (owner).
 */
async function seed(adminUrl: string, count: number): Promise<Pair[]> {
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    const { rows } = await admin.query<{ tenant: string; requester: string; approver: string }>(
      `with t as (
         insert into tenants (kind, slug, name)
         select 'organization', 'flow-' || g, 'Flow organisation ' || g from generate_series(1, $1::int) g
         returning id, slug
       ), u as (
         insert into users (keycloak_id, username, display_name, email)
         select t.slug || '-' || r, t.slug || '-' || r, initcap(r) || ' of ' || t.slug, t.slug || '-' || r || '@example.com'
           from t cross join (values ('requester'), ('approver')) as roles (r)
         returning id, keycloak_id
       ), m as (
         insert into user_tenants (tenant_id, user_id, role)
         select t.id, u.id, (case when u.keycloak_id like '%-approver' then 'owner' else 'member' end)::member_role
           from t join u on u.keycloak_id like t.slug || '-%'
         returning tenant_id
       )
       select t.id as tenant,
              (select id from u where keycloak_id = t.slug || '-requester') as requester,
              (select id from u where keycloak_id = t.slug || '-approver') as approver
         from t`,
      [count],
    );
    return rows.map((r) => ({
      tenantId: r.tenant,
      requester: { tenantId: r.tenant, userId: r.requester, role: 'member', canApprove: false },
      approver: { tenantId: r.tenant, userId: r.approver, role: 'owner', canApprove: false },
    }));
  } finally {
    await admin.end();
  }
}

/** One flow: three domain calls, three transactions, as the API makes them. */
async function flow(
  database: Database,
  pair: Pair,
  tag: string,
  timings?: Record<Step, number[]>,
): Promise<string> {
  let t0 = performance.now();
  const draft = await createApproval(types, database, pair.requester, {
    type: 'ceo_approval',
    title: 'Discount for order 12345',
    description: 'Customer asks for 15 % off the renewal; account manager agrees.',
    source: 'shell',
    sourceRef: tag,
    metadata: { conversationId: 815, customer: 'ACME GmbH', amount: 1200, currency: 'EUR' },
    submit: false,
  });
  let t1 = performance.now();
  timings?.create.push(t1 - t0);
  t0 = t1;
  await submitApproval(types, database, pair.requester, draft.id);
  t1 = performance.now();
  timings?.submit.push(t1 - t0);
  t0 = t1;
  await decideApproval(types, database, pair.approver, draft.id, 'approved', 'Fine by me.');
  timings?.approve.push(performance.now() - t0);
  return draft.id;
}

interface FlowRun {
  flowsPerSecond: number;
  transactionsPerSecond: number;
  flows: number;
  seconds: number;
  latencyMs: Record<Step | 'flow', { p50: number; p99: number }>;
  clientCpuMsPerFlow: number;
  clientCpuCores: number;
  machineCpuBusy?: number;
}

/** `clients` workers, each running flows back to back on a random tenant for `durationS`. */
async function runFlows(
  database: Database,
  pairs: Pair[],
  clients: number,
  durationS: number,
  tag: string,
): Promise<FlowRun> {
  const timings: Record<Step, number[]> = { create: [], submit: [], approve: [] };
  const loop = await closedLoop(database.pool, clients, durationS, () =>
    flow(database, pairs[Math.floor(Math.random() * pairs.length)] as Pair, tag, timings),
  );
  const { operations: flows, seconds, cpuSeconds, machineCpuBusy } = loop;
  return {
    flowsPerSecond: round(flows / seconds, 1),
    transactionsPerSecond: round((flows * STEPS.length) / seconds, 1),
    flows,
    seconds: round(seconds, 1),
    latencyMs: {
      flow: p50p99(loop.latencies),
      create: p50p99(timings.create),
      submit: p50p99(timings.submit),
      approve: p50p99(timings.approve),
    },
    clientCpuMsPerFlow: round((cpuSeconds * 1000) / Math.max(1, flows), 3),
    clientCpuCores: round(cpuSeconds / seconds),
    ...(machineCpuBusy !== undefined ? { machineCpuBusy } : {}),
  };
}

/** What the measured flows left behind, counted as the superuser, and the ledger checked. */
async function verify(adminUrl: string, tag: string, pairs: Pair[]) {
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    const { rows } = await admin.query<{ approved: string; events: string; activity: string }>(
      `with a as (select tenant_id, id, status from approvals where source_ref = $1)
       select (select count(*) from a where status = 'approved') as approved,
              (select count(*) from approval_events e join a using (tenant_id) where e.approval_id = a.id) as events,
              (select count(*) from activity_timeline t join a using (tenant_id) where t.subject_type = 'approval' and t.subject_id = a.id::text) as activity`,
      [tag],
    );
    const broken: string[] = [];
    for (const pair of pairs) {
      const { rows: check } = await admin.query<{ broken_seq: string | null; reason: string }>(
        'select broken_seq, reason from afenda.verify_approval_chain($1)',
        [pair.tenantId],
      );
      if (check[0]?.broken_seq) broken.push(`${pair.tenantId}: ${check[0].reason}`);
    }
    return {
      approved: Number(rows[0]?.approved),
      ledgerEvents: Number(rows[0]?.events),
      timelineEntries: Number(rows[0]?.activity),
      brokenChains: broken,
    };
  } finally {
    await admin.end();
  }
}

const checkpoint = async (adminUrl: string) => {
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query('checkpoint');
  } finally {
    await admin.end();
  }
};

/** Round trips of a flow, by transaction: the statements between each begin and commit. */
function shape(statements: Statement[]): { statements: number; perTransaction: string[][] } {
  const perTransaction: string[][] = [];
  for (const s of statements) {
    const text = s.text.replace(/\s+/g, ' ').trim();
    if (/^begin/i.test(text)) perTransaction.push([]);
    perTransaction.at(-1)?.push(text.length > 90 ? `${text.slice(0, 87)}...` : text);
  }
  return { statements: statements.length, perTransaction };
}

export function run(): Promise<BenchResult> {
  return scope(async (defer) => {
    const settings = readSettings();
    const tenantCount = positiveInt('BENCH_APPROVAL_TENANTS', 50);
    const { clients, durationS, warmupS } = settings;
    const pgbench = await preparePgbench(defer);
    const embedded = await startBenchPostgres(defer);

    const pairs = await seed(embedded.adminUrl, tenantCount);
    const database = openAppDatabase(embedded, clients, defer);
    const first = pairs[0] as Pair;

    const transaction = await pgbenchWebhookInsert(database, first.tenantId);
    const statements = await captureStatements(database, () =>
      flow(database, first, `probe-${randomUUID()}`),
    );
    const flowShape = shape(statements);

    log(`warm-up: pgbench and flows, ${warmupS} s each …`);
    await runPgbench(pgbench, embedded, transaction, clients, warmupS);
    await runFlows(database, pairs, clients, warmupS, `warmup-${randomUUID()}`);

    // pgbench first (from an empty table), then ours, each after a checkpoint.
    log(`pgbench: ${clients} clients, ${durationS} s …`);
    const server = postmasterPid(embedded);
    const serverCpu = () => (server ? processTreeCpuSeconds(server) : undefined);
    const perUnitMs = (before: number | undefined, after: number | undefined, n: number) =>
      before === undefined || after === undefined
        ? undefined
        : round(((after - before) * 1000) / Math.max(1, n), 3);
    let cpu0 = serverCpu();
    const measured = await measureInserts(pgbench, embedded, transaction, clients, durationS);
    const { output, ...baseline } = measured;
    const pgbenchServerCpuMsPerRow = perUnitMs(cpu0, serverCpu(), baseline.rows);

    await checkpoint(embedded.adminUrl);
    const tag = `measured-${randomUUID()}`;
    log(`flows: ${clients} workers over ${tenantCount} tenants, ${durationS} s …`);
    cpu0 = serverCpu();
    const ours = await runFlows(database, pairs, clients, durationS, tag);
    const serverCpuMsPerFlow = perUnitMs(cpu0, serverCpu(), ours.flows);
    const found = await verify(embedded.adminUrl, tag, pairs);

    const perFlow = STEPS.length;
    if (
      found.approved !== ours.flows ||
      found.ledgerEvents !== perFlow * ours.flows ||
      found.timelineEntries !== perFlow * ours.flows
    ) {
      throw new Error(
        `the database does not hold what ${ours.flows} flows wrote: ${found.approved} approved, ${found.ledgerEvents} ledger events, ${found.timelineEntries} timeline entries (want ${perFlow} each per flow)`,
      );
    }
    if (found.brokenChains.length > 0) {
      throw new Error(`broken ledger chains: ${found.brokenChains.join('; ')}`);
    }

    const txRatio = ours.transactionsPerSecond / baseline.rowsPerSecond;
    const rowsPerSecond = round(ours.flowsPerSecond * ROWS_PER_FLOW, 1);
    const pgbenchStatements = transaction.script
      .split('\n')
      .filter((l) => l && !l.startsWith('\\')).length;
    return {
      figure: ours.flowsPerSecond,
      baseline: baseline.rowsPerSecond,
      unit: 'flows/s',
      baselineUnit: 'inserts/s',
      details: {
        summary:
          `${ours.flowsPerSecond} flows/s = ${ours.transactionsPerSecond} transactions/s (${round(txRatio, 2)}× pgbench's ${baseline.rowsPerSecond} single-row transactions/s), ${rowsPerSecond} rows written/s; ` +
          `flow p50/p99 ${ours.latencyMs.flow.p50}/${ours.latencyMs.flow.p99} ms (create ${ours.latencyMs.create.p50}/${ours.latencyMs.create.p99}, submit ${ours.latencyMs.submit.p50}/${ours.latencyMs.submit.p99}, approve ${ours.latencyMs.approve.p50}/${ours.latencyMs.approve.p99}) vs pgbench ${baseline.latencyMs.p50 ?? '?'}/${baseline.latencyMs.p99 ?? '?'} ms; ` +
          `${flowShape.statements} statements a flow vs ${pgbenchStatements} a pgbench transaction; CPU per flow: client ${ours.clientCpuMsPerFlow} ms, server ${serverCpuMsPerFlow ?? '?'} ms (pgbench per row: ${baseline.clientCpuMsPerRow ?? '?'} ms, server ${pgbenchServerCpuMsPerRow ?? '?'} ms); machine busy ${pct(ours.machineCpuBusy)} vs ${pct(baseline.machineCpuBusy)}`,
        clients,
        durationS,
        warmupS,
        tenants: tenantCount,
        ours: {
          ...ours,
          transactionsPerFlow: perFlow,
          rowsWrittenPerFlow: ROWS_WRITTEN,
          rowsWrittenPerSecond: rowsPerSecond,
          transactionsVsPgbench: round(txRatio, 3),
          serverCpuMsPerFlow,
          verified: found,
          shape: flowShape,
        },
        pgbench: {
          ...baseline,
          serverCpuMsPerRow: pgbenchServerCpuMsPerRow,
          binary: pgbench.binary,
          version: pgbench.version,
          script: transaction.script.trim().split('\n'),
          summary: output.split('\n'),
        },
      },
    };
  });
}
