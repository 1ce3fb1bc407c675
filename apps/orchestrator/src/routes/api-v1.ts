import {
  envelope,
  moduleSummarySchema,
  serviceInfoSchema,
  type ModuleManifest,
} from '@afenda/contracts';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';

export interface ApiV1Options {
  version: string;
  mode: 'embedded' | 'production' | 'development' | 'test';
  modules: ModuleManifest[];
}

const summary = (m: ModuleManifest) => ({
  id: m.id,
  name: m.name,
  tool: m.tool,
  description: m.description,
  path: m.path,
});

/** Routes that need no tenant: what this service is and which modules it knows. */
export const apiV1Routes: FastifyPluginAsyncZod<ApiV1Options> = async (app, options) => {
  app.get(
    '/',
    {
      config: { auth: 'public' },
      schema: {
        tags: ['system'],
        summary: 'What this service is: version, mode, modules, where the docs are',
        response: { 200: envelope(serviceInfoSchema) },
      },
    },
    async (request) => ({
      data: {
        name: 'axis-afenda-orchestrator',
        version: options.version,
        mode: options.mode,
        modules: options.modules.map(summary),
        docs: { openapi: '/api/v1/openapi.json', reference: '/api/v1/docs' },
      },
      meta: { requestId: request.id },
    }),
  );

  app.get(
    '/modules',
    {
      config: { auth: 'public' },
      schema: {
        tags: ['system'],
        summary: 'The modules (integrated tools) this build knows',
        response: { 200: envelope(z.array(moduleSummarySchema)) },
      },
    },
    async (request) => ({
      data: options.modules.map(summary),
      meta: { requestId: request.id, count: options.modules.length },
    }),
  );
};
