import { security } from '@afenda/platform/http/tenant-route';
import { envelope, moduleStateSchema, type ModuleManifest } from '@afenda/contracts';
import type { Database } from '@afenda/db';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { listModuleStates } from '../domain/modules/module-states.ts';
import { actorOf } from '@afenda/platform/http/tenant-context';

/** The modules as the caller's tenant has them: what the Shell's navigation and App registry show. */
export const moduleStateRoutes: FastifyPluginAsyncZod<{
  database: Database;
  modules: ModuleManifest[];
  /** The orchestrator's settings, for modules configured by the deployment (never returned). */
  environment?: object;
  /** The modules that can test their connection. */
  testable?: ReadonlySet<string>;
}> = async (app, { database, modules, environment, testable }) => {
  app.get(
    '/modules/state',
    {
      schema: {
        tags: ['system'],
        security,
        summary:
          "Each module's state in the tenant: enabled, disabled, or the settings it still needs",
        headers: z.object({ 'x-tenant-id': z.uuid().optional().describe('The tenant (required)') }),
        response: { 200: envelope(z.array(moduleStateSchema)) },
      },
    },
    async (request) => ({
      data: await listModuleStates(
        database,
        actorOf(request).tenantId,
        modules,
        environment,
        testable,
      ),
      meta: { requestId: request.id },
    }),
  );
};
