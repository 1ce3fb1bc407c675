import fp from 'fastify-plugin';

/** Who is asking, once their token verified and they are a known, enabled user. */
export interface RequestAuth {
  userId: string;
  /** Keycloak's user id (the token's sub). */
  subject: string;
  username: string;
  /** The Keycloak session (the token's sid), when the token has one. */
  sessionId: string | null;
  /** When the access token expires (ms since the epoch): long-lived streams end then. */
  tokenExpiresAt?: number;
  /** Set only when the request named a tenant (X-Tenant-Id) the user belongs to. */
  tenantId?: string;
  role?: 'owner' | 'admin' | 'member' | 'viewer';
  canApprove?: boolean;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by authentication; rate limits, tenancy and routes read it. */
    auth?: RequestAuth;
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
