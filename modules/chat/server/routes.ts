import type { Platform } from '@afenda/platform/platform';
import { ingestDelivery, keepRawJsonBodies } from '@afenda/platform/webhooks/ingest';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';

/**
 * Synapse appends the application-service path to the registration's url
 * (<orchestrator>/api/v1/webhooks/matrix): its transactions arrive here, stored like every
 * delivery under the source "matrix".
 */
export const matrixTransactionRoutes: FastifyPluginAsyncZod<{
  platform: Platform;
  bodyLimit: number;
}> = async (app, { platform, bodyLimit }) => {
  keepRawJsonBodies(app, bodyLimit);
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
      await ingestDelivery(
        platform.deliveries,
        'matrix',
        { ...request.headers, 'x-matrix-txn-id': request.params.txnId },
        request.body,
      );
      return {};
    },
  );
};
