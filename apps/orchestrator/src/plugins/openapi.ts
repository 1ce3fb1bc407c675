import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { jsonSchemaTransform, jsonSchemaTransformObject } from 'fastify-type-provider-zod';

export interface OpenApiOptions {
  version: string;
  publicUrl: string;
}

/**
 * The OpenAPI 3.1 document is generated from the zod schemas routes validate with, so the two
 * cannot drift. Served at /api/v1/openapi.json, with a reference page at /api/v1/docs.
 */
export default fp<OpenApiOptions>(
  async function openapi(app: FastifyInstance, options) {
    await app.register(swagger, {
      openapi: {
        openapi: '3.1.0',
        info: {
          title: 'Axis Afenda Orchestrator API',
          version: options.version,
          description:
            'The control plane of Axis Afenda. Success bodies are `{ "data": ..., "meta": { "requestId": ... } }`; every error is `{ "error": { "code", "message", "details" } }`.',
          license: { name: 'AGPL-3.0-or-later', identifier: 'AGPL-3.0-or-later' },
        },
        servers: [{ url: options.publicUrl }],
        components: {
          securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
        },
      },
      transform: jsonSchemaTransform,
      transformObject: jsonSchemaTransformObject,
    });
    // The document and its reference page are public: they describe the API, they are not it.
    app.addHook('onRoute', (route) => {
      if (route.url.startsWith('/api/v1/docs')) route.config = { ...route.config, auth: 'public' };
    });
    app.get(
      '/api/v1/openapi.json',
      { schema: { hide: true }, config: { rateLimit: 'reads', auth: 'public' } },
      async () => app.swagger(),
    );
    await app.register(swaggerUi, {
      routePrefix: '/api/v1/docs',
      staticCSP: true,
      uiConfig: { url: '/api/v1/openapi.json', deepLinking: true, defaultModelsExpandDepth: 0 },
      theme: { title: 'Axis Afenda API reference' },
    });
  },
  { name: 'openapi' },
);
