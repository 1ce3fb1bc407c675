import { envelope } from '@afenda/contracts';
import { AppError } from '@afenda/platform/errors';
import { actorOf } from '@afenda/platform/http/tenant-context';
import { security, tenantHeaders } from '@afenda/platform/http/tenant-route';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';

// A real module puts its wire shapes in packages/contracts, where the Shell reads them too.
const setupSchema = z.object({
  tenantId: z.uuid(),
  webhookUrl: z.string(),
  configured: z.boolean(),
});

/** Where an admin points the tool. Under /api/v1, behind the kernel's auth and rate limits. */
export const exampleRoutes: FastifyPluginAsyncZod<{
  webhookUrl: string;
  configured: boolean;
}> = async (app, { webhookUrl, configured }) => {
  app.get(
    '/example/setup',
    {
      schema: {
        tags: ['example'],
        security,
        summary: "Where to point the tool's webhook (owners and admins)",
        headers: tenantHeaders,
        response: { 200: envelope(setupSchema) },
      },
    },
    async (request) => {
      // X-Tenant-Id checked against membership: 400 without it, 404 for a tenant the caller
      // is not in (the same answer as for one that doesn't exist).
      const actor = actorOf(request);
      // Refusals are AppErrors: a code the client can switch on, a status, a safe message.
      if (actor.role !== 'owner' && actor.role !== 'admin')
        throw new AppError('EXAMPLE_ADMINS_ONLY', 403, 'Only owners and admins set the tool up');
      const data = { tenantId: actor.tenantId, webhookUrl, configured };
      return { data, meta: { requestId: request.id } };
    },
  );
};
