import cors from '@fastify/cors';
import helmet from '@fastify/helmet';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';

export interface SecurityOptions {
  corsOrigins: string[];
}

/** CORS from the allow-list, and security headers suited to a JSON API. */
export default fp<SecurityOptions>(
  async function security(app: FastifyInstance, options) {
    const allowed = new Set(options.corsOrigins);
    await app.register(cors, {
      origin: (origin, cb) => cb(null, origin === undefined ? false : allowed.has(origin)),
      credentials: true,
      methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
      allowedHeaders: [
        'authorization',
        'content-type',
        'idempotency-key',
        'x-request-id',
        'x-tenant-id',
      ],
      exposedHeaders: [
        'x-request-id',
        'retry-after',
        'ratelimit-limit',
        'ratelimit-remaining',
        'ratelimit-reset',
      ],
      maxAge: 600,
    });
    await app.register(helmet, {
      global: true,
      contentSecurityPolicy: { directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] } },
      crossOriginResourcePolicy: { policy: 'same-site' },
      hsts: { maxAge: 31_536_000, includeSubDomains: true },
    });
  },
  { name: 'security' },
);
