import { envelope } from '@afenda/contracts';
import { forbidden } from '@afenda/platform/errors';
import { actorOf } from '@afenda/platform/http/tenant-context';
import { security, tenantHeaders } from '@afenda/platform/http/tenant-route';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Orchestrator } from '../compose.ts';

const description = z
  .object({
    modules: z.array(z.string()),
    approvalTypes: z.array(z.object({ id: z.string(), title: z.string() })),
    approvalHooks: z.array(
      z.object({ event: z.enum(['submitted', 'decided']), type: z.string(), name: z.string() }),
    ),
    webhookSources: z.array(z.string()),
    outboundHandlers: z.array(z.string()),
    jobs: z.array(
      z.object({
        id: z.string(),
        schedule: z.string().nullable(),
        runAtStart: z.boolean(),
        description: z.string(),
      }),
    ),
    accessTools: z.array(
      z.object({ id: z.string(), name: z.string(), guard: z.string(), configured: z.boolean() }),
    ),
  })
  .meta({ id: 'PlatformDescription' });

/** What is registered on the Platform: the one list of what reacts to what (owners and admins). */
export const platformRoutes: FastifyPluginAsyncZod<{ orchestrator: Orchestrator }> = async (
  app,
  { orchestrator },
) => {
  app.get(
    '/admin/platform',
    {
      schema: {
        tags: ['operations'],
        security,
        summary:
          'The registered modules, approval types and the hooks reacting to them, webhook sources, outbound handlers and jobs (with schedules)',
        headers: tenantHeaders,
        response: { 200: envelope(description) },
      },
    },
    async (request) => {
      const actor = actorOf(request);
      if (actor.role !== 'owner' && actor.role !== 'admin')
        throw forbidden('Only owners and admins see the platform registry');
      return { data: orchestrator.describe(), meta: { requestId: request.id } };
    },
  );
};
