import { ErrorCodes } from '@afenda/contracts';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { RateLimitStore } from '../lib/rate-limit-store.ts';
import { errorBody } from './errors.ts';

export type RateLimitKind = 'reads' | 'writes' | 'webhooks' | 'login';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The budget a route draws from; false exempts it (health, metrics). Default: by method. */
    rateLimit?: RateLimitKind | false;
  }
}

export interface RateLimitOptions {
  store: RateLimitStore;
  windowMs: number;
  limits: Record<RateLimitKind, number>;
  /** A tenant's budget is this many times one user's. */
  tenantFactor: number;
  onStoreError?: (err: unknown) => void;
}

function subject(request: FastifyRequest): { user: string; tenant?: string } {
  const auth = request.auth;
  return auth
    ? { user: `u:${auth.userId}`, tenant: auth.tenantId ? `t:${auth.tenantId}` : undefined }
    : { user: `ip:${request.ip}` };
}

/**
 * Per user (or client address before sign-in), per tenant, per kind of endpoint. Every budget that
 * applies is counted; the tightest decides. A 429 carries Retry-After and the envelope. If the
 * shared store is unreachable we let requests through and log: an outage of Redis must not
 * become an outage of the API.
 */
export default fp<RateLimitOptions>(
  async function rateLimit(app: FastifyInstance, options) {
    app.addHook('onRequest', async (request, reply) => {
      const configured = request.routeOptions.config?.rateLimit;
      if (configured === false) return;
      if (!request.routeOptions.url) return; // unknown route: the 404 costs nothing
      const kind: RateLimitKind =
        configured ?? (request.method === 'GET' || request.method === 'HEAD' ? 'reads' : 'writes');
      const perUser = options.limits[kind];
      const who = subject(request);
      const budgets = [{ key: `${kind}:${who.user}`, limit: perUser }];
      if (who.tenant)
        budgets.push({ key: `${kind}:${who.tenant}`, limit: perUser * options.tenantFactor });
      let hits;
      try {
        hits = await Promise.all(
          budgets.map(async (b) => ({
            ...b,
            ...(await options.store.hit(b.key, options.windowMs)),
          })),
        );
      } catch (err) {
        options.onStoreError?.(err);
        return;
      }
      const tightest = hits.reduce((a, b) => (b.limit - b.count < a.limit - a.count ? b : a));
      const resetSeconds = Math.max(1, Math.ceil(tightest.resetMs / 1000));
      reply.header('ratelimit-limit', tightest.limit);
      reply.header('ratelimit-remaining', Math.max(0, tightest.limit - tightest.count));
      reply.header('ratelimit-reset', resetSeconds);
      if (tightest.count > tightest.limit) {
        reply.header('retry-after', resetSeconds);
        return reply.status(429).send(
          errorBody(
            ErrorCodes.RATE_LIMITED,
            `Too many ${kind} requests; retry in ${resetSeconds} s`,
            {
              kind,
              scope: tightest.key.includes(':t:') ? 'tenant' : 'user',
              limit: tightest.limit,
              windowSeconds: Math.round(options.windowMs / 1000),
              retryAfterSeconds: resetSeconds,
            },
          ),
        );
      }
    });
  },
  { name: 'rate-limit' },
);
