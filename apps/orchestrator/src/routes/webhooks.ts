import { envelope } from '@afenda/contracts';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { IncomingHttpHeaders } from 'node:http';
import { z } from 'zod';
import { storeDelivery } from '../domain/webhooks/deliveries.ts';
import { AppError } from '../errors.ts';
import type { Integrations } from '../integrations.ts';

const accepted = z.object({
  id: z.uuid().describe('The stored delivery (see /api/v1/admin/deliveries/{id})'),
  deliveryId: z.string(),
  status: z.enum(['received', 'processed', 'ignored', 'unmapped', 'failed', 'dead']),
  duplicate: z.boolean().describe('This delivery id was stored before: nothing changed'),
});

/**
 * POST /api/v1/webhooks/:source — verified per source over the raw bytes, stored before
 * anything else (one insert), answered at once; processing happens in the job queue.
 */
export const webhookRoutes: FastifyPluginAsyncZod<{
  integrations: Integrations;
  bodyLimit: number;
}> = async (app, { integrations, bodyLimit }) => {
  // Signatures are over the exact bytes: this scope keeps the body as a Buffer.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(
    ['application/json', 'application/json; charset=utf-8'],
    { parseAs: 'buffer', bodyLimit },
    (_request, body, done) => done(null, body),
  );

  const ingest = async (source: string, headers: IncomingHttpHeaders, body: unknown) => {
    const handler = integrations.sources.get(source);
    if (!handler) {
      throw new AppError('WEBHOOK_SOURCE_UNKNOWN', 404, `There is no webhook source "${source}"`, {
        sources: [...integrations.sources.keys(), 'keycloak'],
      });
    }
    if (!Buffer.isBuffer(body) || body.length === 0) {
      throw new AppError('BODY_REQUIRED', 400, 'The delivery has no body');
    }
    const result = await handler.accept({ headers, rawBody: body, now: new Date() });
    const stored = await storeDelivery(integrations.deliveries, source, body, result);
    return { result, stored };
  };

  app.post(
    '/webhooks/:source',
    {
      config: { auth: 'public', rateLimit: 'webhooks' },
      bodyLimit,
      schema: {
        tags: ['webhooks'],
        summary: 'Receive a webhook delivery (chatwoot, matrix): verified, stored, answered 202',
        description:
          'Chatwoot: X-Chatwoot-Delivery, X-Chatwoot-Timestamp and X-Chatwoot-Signature (sha256= HMAC of "timestamp.body" with the account webhook secret). The raw JSON body is stored before anything else; a repeated delivery id answers 200 and changes nothing.',
        params: z.object({ source: z.string().regex(/^[a-z][a-z0-9_-]{0,31}$/) }),
        response: { 200: envelope(accepted), 202: envelope(accepted) },
      },
    },
    async (request, reply) => {
      const { result, stored } = await ingest(request.params.source, request.headers, request.body);
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

  // Synapse appends the application-service path to the registration's url.
  app.put(
    '/webhooks/matrix/_matrix/app/v1/transactions/:txnId',
    {
      config: { auth: 'public', rateLimit: 'webhooks' },
      bodyLimit,
      schema: {
        tags: ['webhooks'],
        summary:
          'Matrix application-service transaction (url: <orchestrator>/api/v1/webhooks/matrix)',
        params: z.object({ txnId: z.string().min(1).max(128) }),
        response: { 200: z.object({}) },
      },
    },
    async (request) => {
      await ingest(
        'matrix',
        { ...request.headers, 'x-matrix-txn-id': request.params.txnId },
        request.body,
      );
      return {};
    },
  );
};
