import { ErrorCodes } from '@afenda/contracts';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { Hit, RateLimitStore } from '../lib/rate-limit-store.ts';
import { errorBody } from '@afenda/platform/errors';

export type RateLimitKind = 'reads' | 'writes' | 'webhooks' | 'login';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The budget a route draws from; false exempts it (health, metrics). Default: by method. */
    rateLimit?: RateLimitKind | false;
  }
}

/** What a budget counts, as the 429's message names it. */
const WHAT: Record<RateLimitKind, string> = {
  reads: 'read requests',
  writes: 'write requests',
  webhooks: 'webhook deliveries',
  login: 'sign-in attempts',
};

interface Budget {
  key: string;
  limit: number;
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
    // A callback hook with a synchronous path: the in-memory store answers without a promise,
    // which keeps a cheap route cheap (bench/http-noop).
    app.addHook('onRequest', (request, reply, done) => {
      const configured = request.routeOptions.config?.rateLimit;
      if (configured === false || !request.routeOptions.url) return done(); // unknown route: the 404 costs nothing
      const kind: RateLimitKind =
        configured ?? (request.method === 'GET' || request.method === 'HEAD' ? 'reads' : 'writes');
      const perUser = options.limits[kind];
      const who = subject(request);
      const budgets: Budget[] = [{ key: `${kind}:${who.user}`, limit: perUser }];
      if (who.tenant)
        budgets.push({ key: `${kind}:${who.tenant}`, limit: perUser * options.tenantFactor });

      const decide = (hits: Hit[]) => {
        let i = 0;
        for (let j = 1; j < hits.length; j++) {
          if (budgets[j]!.limit - hits[j]!.count < budgets[i]!.limit - hits[i]!.count) i = j;
        }
        const limit = budgets[i]!.limit;
        const { count, resetMs } = hits[i]!;
        const resetSeconds = Math.max(1, Math.ceil(resetMs / 1000));
        reply.header('ratelimit-limit', limit);
        reply.header('ratelimit-remaining', Math.max(0, limit - count));
        reply.header('ratelimit-reset', resetSeconds);
        if (count <= limit) return done();
        reply.header('retry-after', resetSeconds);
        reply.status(429).send(
          errorBody(ErrorCodes.RATE_LIMITED, `Too many ${WHAT[kind]}; retry in ${resetSeconds} s`, {
            kind,
            scope: i === 0 ? 'user' : 'tenant',
            limit,
            windowSeconds: Math.round(options.windowMs / 1000),
            retryAfterSeconds: resetSeconds,
          }),
        );
      };
      const failOpen = (err: unknown) => {
        options.onStoreError?.(err);
        done();
      };
      let pending: (Hit | Promise<Hit>)[];
      try {
        pending = budgets.map((b) => options.store.hit(b.key, options.windowMs));
      } catch (err) {
        return failOpen(err);
      }
      if (pending.some((h) => h instanceof Promise)) Promise.all(pending).then(decide, failOpen);
      else decide(pending as Hit[]);
    });
  },
  { name: 'rate-limit' },
);
