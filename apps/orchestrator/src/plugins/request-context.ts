import fp from 'fastify-plugin';

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
    app.addHook('onRequest', (request, reply, done) => {
      reply.header('x-request-id', request.id);
      done();
    });
    app.addHook('onSend', (_request, reply, payload, done) => {
      if (closing) reply.header('connection', 'close');
      done(null, payload);
    });
  },
  { name: 'request-context' },
);
