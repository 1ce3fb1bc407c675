import { envelope, webhookAcceptedSchema } from '@afenda/contracts';
import { AppError } from '@afenda/platform/errors';
import type { Platform } from '@afenda/platform/platform';
import { ingestDelivery, keepRawJsonBodies } from '@afenda/platform/webhooks/ingest';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';

/**
 * POST /api/v1/webhooks/:source — for every source a module registered: verified over the raw
 * bytes, stored before anything else, answered 202 (a repeat: 200, nothing changed).
 */
export const webhookRoutes: FastifyPluginAsyncZod<{
  platform: Platform;
  bodyLimit: number;
}> = async (app, { platform, bodyLimit }) => {
  keepRawJsonBodies(app, bodyLimit);
  app.post(
    '/webhooks/:source',
    {
      config: { auth: 'public', rateLimit: 'webhooks' },
      bodyLimit,
      schema: {
        tags: ['webhooks'],
        summary: `Receive a webhook delivery (${platform.describe().webhookSources.join(', ') || 'no source registered'}): verified, stored, answered 202`,
        description:
          'Each source verifies its own way, over the raw bytes (docs/webhooks.md). The raw JSON body is stored before anything else; a repeated delivery id answers 200 and changes nothing.',
        params: z.object({ source: z.string().regex(/^[a-z][a-z0-9_-]{0,31}$/) }),
        response: { 200: envelope(webhookAcceptedSchema), 202: envelope(webhookAcceptedSchema) },
      },
    },
    async (request, reply) => {
      const { result, stored } = await ingestDelivery(
        platform.deliveries,
        request.params.source,
        request.headers,
        request.body,
      );
      if (result.refusal && !stored.duplicate) {
        throw new AppError(result.refusal.code, 422, result.refusal.message, {
          ...result.refusal.details,
          stored: { id: stored.id, status: stored.status },
        });
      }
      return reply.status(stored.duplicate ? 200 : 202).send({
        data: {
          id: stored.id,
          deliveryId: result.deliveryId,
          status: stored.status,
          duplicate: stored.duplicate,
        },
        meta: { requestId: request.id },
      });
    },
  );
};
