import { schema, type Database } from '@afenda/db';
import { and, eq, sql } from 'drizzle-orm';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { createHash } from 'node:crypto';
import { errorBody } from '@afenda/platform/errors';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Accept Idempotency-Key on this (mutating) route. */
    idempotent?: boolean;
  }
  interface FastifyRequest {
    idempotencyKey?: string;
  }
}

const K = schema.idempotencyKeys;
/** An in-progress key older than this belongs to a request that died: it may be taken over. */
const ABANDONED_MS = 60_000;

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/**
 * Stripe-style idempotency keys, per user: the first response (status and body) is stored and
 * replayed for the same key and body; the same key with another body is a 422; a concurrent
 * duplicate gets 409 and stores nothing. Kept 24 hours. Server errors (5xx) are not stored, so
 * the client may retry them with the same key.
 */
export default fp<{ database: Database }>(
  async function idempotency(app: FastifyInstance, { database }) {
    const preHandler = async (request: FastifyRequest, reply: FastifyReply) => {
      const key = request.headers['idempotency-key'];
      if (key === undefined || !request.auth) return;
      if (typeof key !== 'string' || key.length === 0 || key.length > 255) {
        return reply
          .status(400)
          .send(
            errorBody('IDEMPOTENCY_KEY_INVALID', 'Idempotency-Key must be 1 to 255 characters'),
          );
      }
      const userId = request.auth.userId;
      const path = request.routeOptions.url ?? request.url;
      const requestHash = createHash('sha256')
        .update(
          `${request.method} ${request.url.split('?')[0]} ${request.headers['x-tenant-id'] ?? ''} ${canonical(request.body ?? null)}`,
        )
        .digest('hex');
      const outcome = await database.transaction({ userId }, async (tx) => {
        const [inserted] = await tx
          .insert(K)
          .values({ userId, key, method: request.method, path, requestHash })
          .onConflictDoNothing()
          .returning({ key: K.key });
        if (inserted) return { kind: 'new' as const };
        const [existing] = await tx
          .select()
          .from(K)
          .where(and(eq(K.userId, userId), eq(K.key, key)))
          .for('update');
        if (!existing) return { kind: 'new' as const };
        const abandoned =
          existing.state === 'in_progress' &&
          Date.now() - existing.createdAt.getTime() > ABANDONED_MS;
        if (existing.expiresAt.getTime() < Date.now() || abandoned) {
          // Expired, or left behind by a request that died: start over with this one.
          await tx
            .update(K)
            .set({
              requestHash,
              method: request.method,
              path,
              state: 'in_progress',
              responseStatus: null,
              responseBody: null,
              createdAt: sql`now()`,
              expiresAt: sql`now() + interval '24 hours'`,
            })
            .where(and(eq(K.userId, userId), eq(K.key, key)));
          return { kind: 'new' as const };
        }
        return { kind: 'existing' as const, row: existing };
      });
      if (outcome.kind === 'new') {
        request.idempotencyKey = key;
        return;
      }
      const row = outcome.row;
      if (row.requestHash !== requestHash) {
        return reply
          .status(422)
          .send(
            errorBody(
              'IDEMPOTENCY_KEY_REUSED',
              'This Idempotency-Key was used with another request',
              { key },
            ),
          );
      }
      if (row.state === 'in_progress') {
        return reply
          .status(409)
          .send(
            errorBody(
              'IDEMPOTENCY_KEY_IN_USE',
              'A request with this Idempotency-Key is still being processed; retry shortly',
              { key },
            ),
          );
      }
      reply.header('idempotent-replayed', 'true');
      return reply.status(row.responseStatus ?? 200).send(row.responseBody);
    };

    const onSend = async (request: FastifyRequest, reply: FastifyReply, payload: unknown) => {
      const key = request.idempotencyKey;
      if (!key || !request.auth) return payload;
      const userId = request.auth.userId;
      const where = and(eq(K.userId, userId), eq(K.key, key));
      if (reply.statusCode >= 500) {
        await database.transaction({ userId }, (tx) => tx.delete(K).where(where));
      } else {
        let body: unknown = null;
        try {
          body = typeof payload === 'string' ? JSON.parse(payload) : null;
        } catch {
          body = null;
        }
        await database.transaction({ userId }, (tx) =>
          tx
            .update(K)
            .set({ state: 'completed', responseStatus: reply.statusCode, responseBody: body })
            .where(where),
        );
      }
      return payload;
    };

    // Only routes that declare `idempotent` carry the hooks: the others pay nothing for them.
    app.addHook('onRoute', (route) => {
      if (!route.config?.idempotent) return;
      route.preHandler = [...[route.preHandler ?? []].flat(), preHandler];
      route.onSend = [...[route.onSend ?? []].flat(), onSend];
    });
  },
  { name: 'idempotency' },
);
