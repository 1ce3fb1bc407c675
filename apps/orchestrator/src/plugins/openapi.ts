import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { jsonSchemaTransform, jsonSchemaTransformObject } from 'fastify-type-provider-zod';

export interface OpenApiOptions {
  version: string;
  publicUrl: string;
  /** The OpenID issuer (Keycloak's realm, or the development provider's). */
  issuer: string;
  /** The public client the reference signs in with (PKCE, no secret); '' leaves it to type in. */
  docsClientId: string;
}

/** Sign in from the reference: the authorization code flow with PKCE, at the issuer's endpoints. */
function oauth2Scheme(issuer: string) {
  return {
    type: 'oauth2' as const,
    description:
      'Sign in with your workspace account (authorization code with PKCE). Tenant routes also need the `x-tenant-id` header: GET /api/v1/tenants lists yours.',
    flows: {
      authorizationCode: {
        authorizationUrl: `${issuer}/protocol/openid-connect/auth`,
        tokenUrl: `${issuer}/protocol/openid-connect/token`,
        scopes: { openid: 'who you are (the groups claim carries your tenants)' },
      },
    },
  };
}

/**
 * The OpenAPI 3.1 document is generated from the zod schemas routes validate with, so the two
 * cannot drift. Served at /api/v1/openapi.json, with a reference page at /api/v1/docs whose
 * "Authorize" signs in at the identity provider (authorization code + PKCE with the public
 * client `docsClientId`), so "Try it out" calls the API as the person who signed in.
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
          securitySchemes: {
            bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
            oauth2: oauth2Scheme(options.issuer),
          },
        },
      },
      transform: jsonSchemaTransform,
      transformObject: jsonSchemaTransformObject,
    });
    // The document and its reference page are public: they describe the API, they are not it.
    // Signing in opens the provider in a popup that hands the code back to this page through
    // window.opener: a Cross-Origin-Opener-Policy would cut that link on the way back.
    app.addHook('onRequest', (request, reply, done) => {
      if (request.url.startsWith('/api/v1/docs')) reply.removeHeader('cross-origin-opener-policy');
      done();
    });
    app.addHook('onRoute', (route) => {
      if (route.url.startsWith('/api/v1/docs')) route.config = { ...route.config, auth: 'public' };
    });
    app.get(
      '/api/v1/openapi.json',
      { schema: { hide: true }, config: { rateLimit: 'reads', auth: 'public' } },
      async () => app.swagger(),
    );
    const idp = new URL(options.issuer).origin;
    await app.register(swaggerUi, {
      routePrefix: '/api/v1/docs',
      staticCSP: true,
      // The page exchanges the code for tokens at the provider: connect-src names it. Over plain
      // http (development) requests are not upgraded, or that exchange would go to https. Its
      // code highlighting writes inline styles: allowed for styles on this page only (a hash
      // list would switch 'unsafe-inline' off).
      transformStaticCSP: (csp) =>
        `${csp
          .replace(
            /upgrade-insecure-requests;?/,
            options.publicUrl.startsWith('https:') ? 'upgrade-insecure-requests;' : '',
          )
          .replace(/style-src [^;]*;/, "style-src 'self' 'unsafe-inline';")
          .trim()} connect-src 'self' ${idp};`,
      uiConfig: {
        url: '/api/v1/openapi.json',
        deepLinking: true,
        defaultModelsExpandDepth: 0,
        persistAuthorization: false,
      },
      ...(options.docsClientId
        ? {
            initOAuth: {
              clientId: options.docsClientId,
              usePkceWithAuthorizationCodeGrant: true,
              scopes: ['openid'],
            },
          }
        : {}),
      theme: { title: 'Axis Afenda API reference' },
    });
  },
  { name: 'openapi' },
);
