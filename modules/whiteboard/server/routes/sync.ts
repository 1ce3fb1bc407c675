import { envelope, whiteboardTicketSchema } from '@afenda/contracts';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { TicketClaims } from '../tickets.ts';
import { assertTicketStillValid, loadBoard } from '../whiteboards.ts';
import { errorBody } from '@afenda/platform/errors';
import { actorOf } from '@afenda/platform/http/tenant-context';
import { params, security, tenantHeaders } from '@afenda/platform/http/tenant-route';

import type { WhiteboardRouteOptions } from './options.ts';

const tags = ['whiteboards'];
const SESSION_ID = /^[A-Za-z0-9_-]{1,64}$/;

/** Live editing: a single-use ticket, then the board's sync WebSocket (tldraw's protocol). */
export const syncRoutes: FastifyPluginAsyncZod<WhiteboardRouteOptions> = async (
  app,
  { database, sessions, tickets, publicUrl, origins },
) => {
  const meta = (request: { id: string }) => ({ requestId: request.id });
  app.post(
    '/whiteboards/:id/tickets',
    {
      schema: {
        tags,
        security,
        summary:
          "A single-use ticket (seconds) to open the board's live sync WebSocket: browsers cannot send a bearer token on a socket",
        headers: tenantHeaders,
        params,
        response: { 201: envelope(whiteboardTicketSchema) },
      },
    },
    async (request, reply) => {
      const actor = actorOf(request);
      await database.withTenant(
        actor.tenantId,
        (tx) => loadBoard(tx, actor.tenantId, request.params.id, { active: true }),
        actor.userId,
      );
      const readonly = actor.role === 'viewer';
      const { ticket, expiresAt } = tickets.issue({
        tenantId: actor.tenantId,
        userId: actor.userId,
        boardId: request.params.id,
        readonly,
      });
      const url = new URL(`/api/v1/whiteboards/${request.params.id}/sync`, publicUrl);
      url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
      url.searchParams.set('ticket', ticket);
      return reply.status(201).send({
        data: { ticket, url: url.toString(), expiresAt: expiresAt.toISOString(), readonly },
        meta: meta(request),
      });
    },
  );

  // The live sync socket: tldraw's protocol, spoken by TLSocketRoom. Authenticated by the
  // ticket (checked before the upgrade, so a refusal is a plain HTTP error), then the
  // membership and the board are checked again in the database.
  app.get(
    '/whiteboards/:id/sync',
    {
      websocket: true,
      config: { auth: 'public' },
      schema: {
        tags,
        summary:
          'WebSocket: live multi-editor sync (tldraw sync protocol). Needs ?ticket= from POST /whiteboards/{id}/tickets',
        params,
        querystring: z.object({
          ticket: z.string().max(1024).optional(),
          sessionId: z.string().max(64).optional(),
          storeId: z.string().max(64).optional(),
        }),
      },
      preValidation: async (request, reply) => {
        const origin = request.headers.origin;
        if (origin !== undefined && !origins.includes(origin)) {
          return reply
            .status(403)
            .send(errorBody('ORIGIN_NOT_ALLOWED', 'This origin may not open board sockets'));
        }
        const { id } = request.params as { id: string };
        const { ticket, sessionId } = request.query as { ticket?: string; sessionId?: string };
        if (!sessionId || !SESSION_ID.test(sessionId)) {
          return reply
            .status(400)
            .send(errorBody('VALIDATION_FAILED', 'sessionId (tldraw sync) is missing or invalid'));
        }
        const claims = tickets.redeem(ticket, id);
        if (!claims) {
          return reply
            .status(401)
            .send(
              errorBody(
                'WHITEBOARD_TICKET_INVALID',
                'Open the board with a fresh ticket from POST /api/v1/whiteboards/{id}/tickets',
              ),
            );
        }
        // The ticket was good when issued; the membership and the board must still be.
        await assertTicketStillValid(database, claims);
        request.whiteboardTicket = claims;
      },
    },
    async (socket, request) => {
      const claims = request.whiteboardTicket!;
      const { sessionId } = request.query as { sessionId: string };
      // tldraw's client speaks first; keep what arrives while the room opens.
      const early: string[] = [];
      const keep = (data: Buffer) => early.push(data.toString('utf8'));
      socket.on('message', keep);
      try {
        await sessions.connect({
          tenantId: claims.tenantId,
          boardId: claims.boardId,
          userId: claims.userId,
          readonly: claims.readonly,
          sessionId,
          socket,
          early,
        });
        socket.off('message', keep);
      } catch (err) {
        request.log.error({ err }, 'whiteboard room failed to open');
        socket.close(1011, 'The board could not be opened');
      }
    },
  );
};

declare module 'fastify' {
  interface FastifyRequest {
    whiteboardTicket?: TicketClaims;
  }
}
