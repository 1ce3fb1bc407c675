import type { OutboundCalls } from '@afenda/platform/outbound/outbound';
import type { Database } from '@afenda/db';
import { sql } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

export interface MetricsOptions {
  poolStats: () => { total: number; idle: number; waiting: number; max: number };
  /** For the state of the work (queue, deliveries, outbound, syncs), read at most every 5 s. */
  database?: Database;
  /** Calls into the tools, counted by the platform's outbound runner. */
  outboundCalls?: OutboundCalls;
}

interface WorkState {
  queue: { task: string; jobs: number; oldestDueS: number }[];
  deliveries: { status: string; n: number }[];
  outbound: { kind: string; status: string; n: number }[];
  syncs: { source: string; status: string; n: number; lastSuccess: number | null }[];
}

/** What the operator alerts on, read from the database in one go (jobs and sync contexts). */
async function readWorkState(database: Database): Promise<WorkState> {
  // The queue's schema exists once a worker has started (not in every process): none is zero.
  const queue = await database.pool
    .query<{ task: string; jobs: number; oldest_due_s: number }>(
      `select task_identifier as task, count(*)::int as jobs,
              coalesce(extract(epoch from now() - min(run_at)) filter (where run_at <= now()), 0)::float8 as oldest_due_s
         from graphile_worker.jobs group by task_identifier`,
    )
    .then((r) =>
      r.rows.map((q) => ({ task: q.task, jobs: q.jobs, oldestDueS: Math.max(0, q.oldest_due_s) })),
    )
    .catch(() => []);
  const jobs = await database.transaction({ service: 'jobs' }, async (tx) => ({
    deliveries: (
      await tx.execute<{ status: string; n: number }>(sql`
        select status, count(*)::int as n from webhook_deliveries
         where status in ('received', 'failed', 'dead', 'unmapped') group by status`)
    ).rows,
    outbound: (
      await tx.execute<{ kind: string; status: string; n: number }>(sql`
        select kind, status, count(*)::int as n from outbound_actions
         where status in ('pending', 'failed', 'dead') group by kind, status`)
    ).rows,
  }));
  const syncs = await database.transaction({ sync: true }, async (tx) =>
    (
      await tx.execute<{
        source: string;
        status: string;
        n: number;
        last_success: number | null;
      }>(sql`
        select source, status, count(*)::int as n,
               extract(epoch from max(finished_at) filter (where status = 'succeeded'))::float8 as last_success
          from sync_runs group by source, status`)
    ).rows.map((r) => ({
      source: r.source,
      status: r.status,
      n: r.n,
      lastSuccess: r.last_success,
    })),
  );
  return { queue, ...jobs, syncs };
}

declare module 'fastify' {
  interface FastifyInstance {
    metrics: Registry;
  }
}

/** Prometheus metrics at /metrics: request rate, latency, errors, database pool. */
export default fp<MetricsOptions>(
  async function metrics(app: FastifyInstance, options) {
    const registry = new Registry();
    // The process's own metrics under their usual names (process_*, nodejs_*), as dashboards expect.
    collectDefaultMetrics({ register: registry });
    const labelNames = ['method', 'route', 'status_code'] as const;
    const requests = new Counter({
      name: 'afenda_http_requests_total',
      help: 'HTTP requests answered',
      labelNames,
      registers: [registry],
    });
    const errors = new Counter({
      name: 'afenda_http_request_errors_total',
      help: 'HTTP requests answered with 4xx (class="client") or 5xx (class="server")',
      labelNames: ['method', 'route', 'class'] as const,
      registers: [registry],
    });
    const duration = new Histogram({
      name: 'afenda_http_request_duration_seconds',
      help: 'HTTP request latency',
      labelNames,
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    });
    new Gauge({
      name: 'afenda_db_pool_connections',
      help: 'Database pool connections by state (total, idle, waiting clients, max)',
      labelNames: ['state'] as const,
      registers: [registry],
      collect() {
        const s = options.poolStats();
        this.set({ state: 'total' }, s.total);
        this.set({ state: 'idle' }, s.idle);
        this.set({ state: 'waiting' }, s.waiting);
        this.set({ state: 'max' }, s.max);
      },
    });
    if (options.outboundCalls) {
      const calls = options.outboundCalls;
      new Counter({
        name: 'afenda_outbound_calls_total',
        help: 'Calls into the tools by this process, by kind (<module>.<action>, access.reconcile, …) and result (done, failed: retried later, dead: given up)',
        labelNames: ['kind', 'result'],
        registers: [registry],
        collect() {
          this.reset();
          for (const c of calls.entries()) this.inc({ kind: c.kind, result: c.result }, c.n);
        },
      });
    }
    const jwksFailures = new Counter({
      name: 'afenda_jwks_fetch_failures_total',
      help: "Requests whose token could not be checked: the issuer's discovery document or keys did not answer (503)",
      registers: [registry],
    });
    if (options.database) {
      const database = options.database;
      let cached: { at: number; state: Promise<WorkState> } | undefined;
      const state = () => {
        if (!cached || Date.now() - cached.at > 5_000)
          cached = { at: Date.now(), state: readWorkState(database) };
        return cached.state;
      };
      // One gauge per name; each reads the same cached state.
      const gauge = (
        name: string,
        help: string,
        labelNames: string[],
        fill: (g: Gauge, s: WorkState) => void,
      ) =>
        new Gauge({
          name,
          help,
          labelNames,
          registers: [registry],
          async collect() {
            this.reset();
            const s = await state().catch((err: unknown) => {
              app.log.warn({ err }, 'metrics: the state of the work could not be read');
              return undefined;
            });
            if (s) fill(this, s);
          },
        });
      gauge('afenda_jobs_queued', 'Jobs in the queue, by task', ['task'], (g, s) => {
        for (const q of s.queue) g.set({ task: q.task }, q.jobs);
      });
      gauge(
        'afenda_jobs_oldest_due_seconds',
        'How long the oldest due job of each task has waited',
        ['task'],
        (g, s) => {
          for (const q of s.queue) g.set({ task: q.task }, q.oldestDueS);
        },
      );
      gauge(
        'afenda_webhook_deliveries',
        'Stored webhook deliveries that need work or attention, by status (received, failed, dead, unmapped)',
        ['status'],
        (g, s) => {
          for (const status of ['received', 'failed', 'dead', 'unmapped'])
            g.set({ status }, s.deliveries.find((d) => d.status === status)?.n ?? 0);
        },
      );
      gauge(
        'afenda_outbound_actions',
        'Calls into the tools not done yet, by kind (<module>.<action>, access.reconcile, …) and status',
        ['kind', 'status'],
        (g, s) => {
          for (const o of s.outbound) g.set({ kind: o.kind, status: o.status }, o.n);
        },
      );
      gauge(
        'afenda_dead_letters',
        'Dead letters waiting for a replay, by direction',
        ['direction'],
        (g, s) => {
          g.set({ direction: 'webhook' }, s.deliveries.find((d) => d.status === 'dead')?.n ?? 0);
          g.set(
            { direction: 'outbound' },
            s.outbound.filter((o) => o.status === 'dead').reduce((n, o) => n + o.n, 0),
          );
        },
      );
      gauge(
        'afenda_sync_runs',
        'Sync runs recorded, by source (realm-file, keycloak, access:<tool>, …) and status',
        ['source', 'status'],
        (g, s) => {
          for (const r of s.syncs) g.set({ source: r.source, status: r.status }, r.n);
        },
      );
      gauge(
        'afenda_sync_last_success_timestamp_seconds',
        'When each sync source last succeeded (Unix time)',
        ['source'],
        (g, s) => {
          for (const r of s.syncs)
            if (r.lastSuccess !== null) g.set({ source: r.source }, r.lastSuccess);
        },
      );
    }
    app.decorate('metrics', registry);

    // Labelled children are looked up once per (method, route, status) and kept.
    type Series = {
      requests: ReturnType<typeof requests.labels>;
      duration: ReturnType<typeof duration.labels>;
      errors?: ReturnType<typeof errors.labels>;
    };
    const series = new Map<string, Series>();
    app.addHook('onResponse', (request, reply, done) => {
      // The route pattern, not the URL: ids in paths must not explode the label space.
      const route = request.routeOptions.url ?? 'unmatched';
      if (route !== '/metrics') {
        const status = reply.statusCode;
        const key = `${request.method} ${route} ${status}`;
        let s = series.get(key);
        if (!s) {
          const labels = { method: request.method, route, status_code: String(status) };
          s = { requests: requests.labels(labels), duration: duration.labels(labels) };
          if (status >= 400)
            s.errors = errors.labels({
              method: request.method,
              route,
              class: status >= 500 ? 'server' : 'client',
            });
          series.set(key, s);
        }
        s.requests.inc();
        s.duration.observe(reply.elapsedTime / 1000);
        s.errors?.inc();
        if (status === 503 && request.authFailure?.status === 503) jwksFailures.inc();
      }
      done();
    });

    app.get(
      '/metrics',
      { schema: { hide: true }, config: { rateLimit: false } },
      async (_request, reply) => {
        reply.type(registry.contentType);
        return registry.metrics();
      },
    );
  },
  { name: 'metrics' },
);
