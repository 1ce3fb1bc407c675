import { envelope } from '@afenda/contracts';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { timingSafeEqual, createHash } from 'node:crypto';
import { z } from 'zod';
import type { DirectorySync } from '../domain/identity/sync.ts';
import { AppError } from '@afenda/platform/errors';

const digest = (v: string) => createHash('sha256').update(v).digest();

/**
 * A nudge from a Keycloak event listener: reconcile now instead of at the next schedule.
 * Authenticated by a shared secret (Authorization: Bearer <KEYCLOAK_WEBHOOK_SECRET>), compared
 * in constant time. The body is a hint only: what changes is read from Keycloak itself.
 */
export const keycloakWebhookRoutes: FastifyPluginAsyncZod<{
  sync: DirectorySync;
  secret?: string;
  bodyLimit: number;
}> = async (app, options) => {
  app.post(
    '/webhooks/keycloak',
    {
      config: { auth: 'public', rateLimit: 'webhooks' },
      bodyLimit: options.bodyLimit,
      schema: {
        tags: ['webhooks'],
        summary: 'Keycloak changed: reconcile memberships now (shared-secret authenticated)',
        headers: z.object({ authorization: z.string().optional() }),
        body: z
          .object({
            userId: z
              .string()
              .min(1)
              .max(64)
              .optional()
              .describe('Reconcile only this Keycloak user'),
          })
          .loose()
          .optional(),
        response: {
          200: envelope(
            z.object({
              syncRunId: z.string(),
              status: z.enum(['succeeded', 'failed']),
              result: z.record(z.string(), z.number()).optional(),
            }),
          ),
        },
      },
    },
    async (request) => {
      if (!options.secret)
        throw new AppError(
          'WEBHOOK_NOT_CONFIGURED',
          404,
          'The Keycloak webhook is not configured (set KEYCLOAK_WEBHOOK_SECRET)',
        );
      const given = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1] ?? '';
      if (!timingSafeEqual(digest(given), digest(options.secret))) {
        throw new AppError('WEBHOOK_SIGNATURE_INVALID', 401, 'The webhook secret does not match');
      }
      const userId = request.body?.userId;
      const run = userId
        ? await options.sync.reconcileUser(userId, 'webhook')
        : await options.sync.reconcileAll('webhook');
      return {
        data: {
          syncRunId: run.id,
          status: run.status,
          ...(run.result ? { result: { ...run.result } } : {}),
        },
        meta: { requestId: request.id },
      };
    },
  );
};
