/**
 * http-noop: the orchestrator's real app (its production entry point, apps/orchestrator/src/
 * server.ts, NODE_ENV=production, every plugin on, rate limiting included) answering the no-op
 * GET /api/v1, against a bare node:http server answering the same JSON envelope. Each server runs
 * in its own Node process; autocannon drives it from this process with the same connections and
 * duration. Order: baseline, app, baseline again; the baseline figure is the mean of its two runs.
 */
import { freePort } from '@afenda/db';
import autocannon from 'autocannon';
import { startTestIssuer } from '@afenda/test-utils/issuer';
import { randomBytes, randomUUID } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { scope } from './lib/cleanup.ts';
import { startChildServer, type ChildServer } from './lib/child.ts';
import { orchestratorEnv } from './lib/orchestrator-env.ts';
import { startBenchPostgres } from './lib/postgres.ts';
import { readSettings } from './lib/settings.ts';
import { round, watchCpu } from './lib/stats.ts';
import type { BenchResult, Goal } from './lib/types.ts';

const SERVER_TS = fileURLToPath(import.meta.resolve('@afenda/orchestrator/server'));
const BARE_TS = fileURLToPath(new URL('./servers/bare-http.ts', import.meta.url));
const ROUTE = '/api/v1';

interface Phase {
  requestsPerSecond: number;
  latencyMs: { p50: number; p99: number; average: number };
  requests: number;
  bytesPerResponse: number;
  /** CPU the server process used per request, in ms: robust to a busy machine, unlike req/s. */
  serverCpuMsPerRequest?: number;
  /** CPU the server process used, in cores (1.0 = one core flat out). */
  serverCpuCores?: number;
  /** CPU this process (autocannon) used, in cores. */
  loadGeneratorCpuCores: number;
  /** Share of all the machine's cores busy during the phase, whoever used them. */
  machineCpuBusy?: number;
}

async function load(
  server: ChildServer,
  connections: number,
  durationS: number,
  label: string,
  request: Request = { path: ROUTE },
): Promise<Phase> {
  const cpu = watchCpu([server.pid]);
  const selfBefore = process.cpuUsage();
  const result = await autocannon({
    url: `http://127.0.0.1:${server.port}${request.path}`,
    ...(request.headers ? { headers: request.headers } : {}),
    connections,
    duration: durationS,
  });
  const self = process.cpuUsage(selfBefore);
  const serverCpu = cpu.processSeconds(server.pid);
  const machineCpuBusy = cpu.machineBusy();
  if (result.errors > 0 || result.timeouts > 0 || result.non2xx > 0) {
    throw new Error(
      `${label}: ${result.errors} errors, ${result.timeouts} timeouts, ${result.non2xx} non-2xx responses (status counts ${JSON.stringify(result.statusCodeStats ?? {})}); the figure would not be comparable`,
    );
  }
  const seconds = result.duration;
  return {
    requestsPerSecond: round(result.requests.average, 1),
    latencyMs: {
      p50: result.latency.p50,
      p99: result.latency.p99,
      average: round(result.latency.average),
    },
    requests: result.requests.total,
    bytesPerResponse: Math.round(result.throughput.total / Math.max(1, result.requests.total)),
    ...(serverCpu !== undefined
      ? {
          serverCpuMsPerRequest: round((serverCpu * 1000) / Math.max(1, result.requests.total), 4),
          serverCpuCores: round(serverCpu / seconds),
        }
      : {}),
    loadGeneratorCpuCores: round((self.user + self.system) / 1e6 / seconds),
    ...(machineCpuBusy !== undefined ? { machineCpuBusy } : {}),
  };
}

async function measure(
  server: ChildServer,
  label: string,
  settings: ReturnType<typeof readSettings>,
  warm: boolean,
  request?: Request,
): Promise<Phase> {
  if (warm) await load(server, settings.connections, settings.warmupS, `${label} warm-up`, request);
  return load(server, settings.connections, settings.durationS, label, request);
}

/** What a phase asks for: the no-op route, or a route with a token and a tenant. */
interface Request {
  path: string;
  headers?: Record<string, string>;
}

/** Approvals in the authenticated list: one page of them, as a manager's queue shows. */
const LISTED_APPROVALS = 25;

/**
 * The directory the authenticated list needs, written as the identity sync would (production
 * has no demo seed and the bench no Keycloak): one organisation, a requester and a manager who
 * may approve. Returns their tokens' subjects and the organisation.
 */
async function seedDirectory(adminUrl: string) {
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    const {
      rows: [org],
    } = await admin.query<{ id: string }>(
      `insert into tenants (kind, slug, name) values ('organization', 'bench', 'Bench Ltd') returning id`,
    );
    const people = [
      { sub: randomUUID(), username: 'requester', role: 'member', approve: false },
      { sub: randomUUID(), username: 'manager', role: 'admin', approve: true },
    ];
    for (const p of people) {
      const {
        rows: [user],
      } = await admin.query<{ id: string }>(
        `insert into users (keycloak_id, username, display_name, email) values ($1, $2, $2, $2 || '@bench.test') returning id`,
        [p.sub, p.username],
      );
      await admin.query(
        `insert into user_tenants (tenant_id, user_id, role, can_approve) values ($1, $2, $3, $4)`,
        [org!.id, user!.id, p.role, p.approve],
      );
    }
    return { tenantId: org!.id, requester: people[0]!.sub, manager: people[1]!.sub };
  } finally {
    await admin.end();
  }
}

export const name = 'http-noop';
export const goal: Goal = { ratio: 0.8, description: '≥ 0.8× bare node:http' };

export function run(): Promise<BenchResult> {
  return scope(async (defer) => {
    const settings = readSettings();
    const embedded = await startBenchPostgres(defer);
    const issuer = await startTestIssuer();
    defer('stop the token issuer', () => issuer.close());

    const appPort = await freePort();
    const server = orchestratorEnv({
      NODE_ENV: 'production',
      HOST: '127.0.0.1',
      PORT: String(appPort),
      DATABASE_URL: embedded.appUrl,
      SETTINGS_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      LOG_LEVEL: 'silent',
      // Rate limiting stays on, as in production; the budget is only made unreachable.
      RATE_LIMIT_READS: '1000000',
      RATE_LIMIT_WRITES: '1000000',
      RATE_LIMIT_WINDOW_MS: '1000',
      // Production insists on an identity provider: a stand-in token issuer at the network
      // boundary (discovery and keys only). The no-op route needs no token; the authenticated
      // list verifies one per request. The directory sync is off (the admin secret unused).
      KEYCLOAK_ISSUER: issuer.issuer,
      KEYCLOAK_ADMIN_CLIENT_SECRET: 'bench-not-used',
      KEYCLOAK_SYNC_SCHEDULE: 'off',
      // Production insists on the whiteboard's ticket secret too; no board is opened here.
      WHITEBOARD_TICKET_SECRET: randomBytes(32).toString('base64'),
    });
    const app = await startChildServer({
      script: SERVER_TS,
      cwd: path.dirname(path.dirname(SERVER_TS)),
      env: server.env,
      port: appPort,
      readyPath: ROUTE,
    });
    defer('stop the orchestrator', () => app.stop());

    // The baseline answers with the orchestrator's own `data`, so the bodies match byte for byte
    // apart from the request id (a UUID on both sides).
    const appBody = await (await fetch(`http://127.0.0.1:${app.port}${ROUTE}`)).text();
    const appJson = JSON.parse(appBody) as { data: unknown; meta: { requestId: string } };
    const bare = await startChildServer({
      script: BARE_TS,
      cwd: path.dirname(BARE_TS),
      env: { ...process.env, BENCH_BODY_DATA: JSON.stringify(appJson.data) },
      port: 'ipc',
    });
    defer('stop the bare node:http server', () => bare.stop());
    const bareBody = await (await fetch(`http://127.0.0.1:${bare.port}${ROUTE}`)).text();
    const bareJson = JSON.parse(bareBody) as { data: unknown; meta: { requestId: string } };
    if (
      bareBody.length !== appBody.length ||
      JSON.stringify(bareJson.data) !== JSON.stringify(appJson.data) ||
      Object.keys(bareJson.meta).join() !== Object.keys(appJson.meta).join()
    ) {
      throw new Error(`baseline body differs from the app's:\n${bareBody}\n${appBody}`);
    }

    const baselineBefore = await measure(bare, 'node:http', settings, true);
    const ours = await measure(app, 'orchestrator', settings, true);
    const baselineAfter = await measure(bare, 'node:http (again)', settings, false);

    // The authenticated list: a manager's GET /api/v1/approvals, each request verifying the
    // token (RS256), resolving the tenant and reading under row-level security.
    const who = await seedDirectory(embedded.adminUrl);
    const bearer = async (sub: string) =>
      `Bearer ${await issuer.token({ sub, exp: Math.floor(Date.now() / 1000) + 3600 })}`;
    const requester = { authorization: await bearer(who.requester), 'x-tenant-id': who.tenantId };
    for (let i = 0; i < LISTED_APPROVALS; i++) {
      const r = await fetch(`http://127.0.0.1:${app.port}/api/v1/approvals/requests`, {
        method: 'POST',
        headers: { ...requester, 'content-type': 'application/json' },
        body: JSON.stringify({ type: 'ceo_approval', title: `Refund ${i + 1}`, submit: true }),
      });
      if (r.status !== 201) throw new Error(`creating approvals: ${r.status} ${await r.text()}`);
    }
    const listRequest: Request = {
      path: '/api/v1/approvals',
      headers: { authorization: await bearer(who.manager), 'x-tenant-id': who.tenantId },
    };
    const listed = await fetch(`http://127.0.0.1:${app.port}${listRequest.path}`, {
      headers: listRequest.headers,
    });
    const listedBody = (await listed.json()) as { data?: unknown[] };
    if (listed.status !== 200 || listedBody.data?.length !== LISTED_APPROVALS)
      throw new Error(
        `the list answered ${listed.status} with ${listedBody.data?.length ?? 0} approvals, not ${LISTED_APPROVALS}`,
      );
    const list = await measure(app, 'authenticated list', settings, true, listRequest);
    const baseline = round(
      (baselineBefore.requestsPerSecond + baselineAfter.requestsPerSecond) / 2,
      1,
    );
    const baselineCpu =
      baselineBefore.serverCpuMsPerRequest && baselineAfter.serverCpuMsPerRequest
        ? (baselineBefore.serverCpuMsPerRequest + baselineAfter.serverCpuMsPerRequest) / 2
        : undefined;
    const cpuRatio =
      baselineCpu && ours.serverCpuMsPerRequest
        ? round(baselineCpu / ours.serverCpuMsPerRequest, 2)
        : undefined;
    return {
      figure: ours.requestsPerSecond,
      baseline,
      unit: 'req/s',
      details: {
        summary:
          `p50/p99 latency ${ours.latencyMs.p50}/${ours.latencyMs.p99} ms vs ${baselineBefore.latencyMs.p50}/${baselineBefore.latencyMs.p99} ms; ` +
          `server CPU ${ours.serverCpuMsPerRequest ?? '?'} ms/request vs ${baselineCpu === undefined ? '?' : round(baselineCpu, 4)} ms (CPU-efficiency ratio ${cpuRatio ?? '?'}×); ` +
          `response ${ours.bytesPerResponse} B vs ${baselineBefore.bytesPerResponse} B with headers`,
        cpuEfficiencyRatio: cpuRatio,
        route: `GET ${ROUTE}`,
        connections: settings.connections,
        durationS: settings.durationS,
        warmupS: settings.warmupS,
        serverSettings: server.settings,
        bodyBytes: Buffer.byteLength(appBody),
        orchestrator: ours,
        baselineBefore,
        baselineAfter,
        baselineDrift: round(
          baselineAfter.requestsPerSecond / baselineBefore.requestsPerSecond - 1,
          3,
        ),
        authenticatedList: list,
      },
      extra: [
        {
          key: 'auth-list',
          goal: { ratio: 0.5, description: '≥ 0.5× the no-op route' },
          figure: list.requestsPerSecond,
          baseline: ours.requestsPerSecond,
          unit: 'req/s',
          summary:
            `GET /api/v1/approvals (${LISTED_APPROVALS} approvals; JWT, tenant, RLS) p50/p99 ${list.latencyMs.p50}/${list.latencyMs.p99} ms; ` +
            `server CPU ${list.serverCpuMsPerRequest ?? '?'} ms/request against the no-op route's ${ours.serverCpuMsPerRequest ?? '?'} ms; ` +
            `response ${list.bytesPerResponse} B`,
        },
      ],
    };
  });
}
