import fp from 'fastify-plugin';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by authentication (the identity issue); rate limits and tenancy read it. */
    auth?: { userId: string; tenantId?: string };
  }
}

/**
 * Echoes the request id on every response, so a client can quote it in a report. While the
 * server shuts down, responses also close their keep-alive connection: otherwise a client that
 * was mid-request when SIGTERM came would hold the server open until its idle timeout.
 */
export default fp(
  async function requestContext(app) {
    let closing = false;
    app.addHook('preClose', async () => {
      closing = true;
    });
    app.addHook('onRequest', async (request, reply) => {
      reply.header('x-request-id', request.id);
    });
    app.addHook('onSend', async (_request, reply) => {
      if (closing) reply.header('connection', 'close');
    });
  },
  { name: 'request-context' },
);
