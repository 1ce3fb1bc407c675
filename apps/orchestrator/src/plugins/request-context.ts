import fp from 'fastify-plugin';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by authentication (the identity issue); rate limits and tenancy read it. */
    auth?: { userId: string; tenantId?: string };
  }
}

/** Echoes the request id on every response, so a client can quote it in a report. */
export default fp(
  async function requestContext(app) {
    app.addHook('onRequest', async (request, reply) => {
      reply.header('x-request-id', request.id);
    });
  },
  { name: 'request-context' },
);
