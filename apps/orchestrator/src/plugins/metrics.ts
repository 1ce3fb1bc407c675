import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

export interface MetricsOptions {
  poolStats: () => { total: number; idle: number; waiting: number; max: number };
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
    collectDefaultMetrics({ register: registry, prefix: 'afenda_' });
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
