import {
  createWhiteboardBodySchema,
  createWhiteboardVersionBodySchema,
  envelope,
  linkWhiteboardBodySchema,
  renameWhiteboardBodySchema,
  saveWhiteboardDocumentBodySchema,
  whiteboardDetailSchema,
  whiteboardLinkSchema,
  whiteboardListQuerySchema,
  whiteboardSchema,
  whiteboardSubjectTypeSchema,
  whiteboardTicketSchema,
  whiteboardVersionDetailSchema,
  whiteboardVersionSchema,
} from '@afenda/contracts';
import { schema, type Database } from '@afenda/db';
import { and, eq } from 'drizzle-orm';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  createWhiteboard,
  getWhiteboard,
  listWhiteboards,
  renameWhiteboard,
  saveDocument,
  setDeleted,
} from './boards.ts';
import { linkWhiteboard, unlinkWhiteboard } from './links.ts';
import type { LiveSessions } from './live-sessions.ts';
import type { TicketClaims, TicketIssuer } from './tickets.ts';
import { createVersion, getVersion, listVersions, restoreVersion } from './versions.ts';
import { loadBoard, type WhiteboardSettings } from './whiteboards.ts';
import { forbidden } from '@afenda/platform/errors';
import { errorBody } from '@afenda/platform/errors';
import { actorOf } from '@afenda/platform/http/tenant-context';
import { params, security, tenantHeaders } from '@afenda/platform/http/tenant-route';

const tags = ['whiteboards'];
const versionParams = params.extend({
  version: z.coerce
    .number()
    .int()
    .min(1)
    .max(2 ** 31 - 1),
});
const SESSION_ID = /^[A-Za-z0-9_-]{1,64}$/;

export interface WhiteboardRouteOptions {
  database: Database;
  settings: WhiteboardSettings;
  sessions: LiveSessions;
  tickets: TicketIssuer;
  /** Where browsers reach this API (PUBLIC_URL): the sync socket's URL is built from it. */
  publicUrl: string;
  /** Browser origins allowed to open a sync socket (CORS_ORIGINS). */
  origins: string[];
}

export const whiteboardRoutes: FastifyPluginAsyncZod<WhiteboardRouteOptions> = async (
  app,
  { database, settings, sessions, tickets, publicUrl, origins },
) => {
  const meta = (request: { id: string }) => ({ requestId: request.id });
  // A document may be as large as the limit; the 413 for a bigger one is ours, with figures.
  const documentBodyLimit = settings.maxBytes * 2 + 64 * 1024;

  app.get(
    '/whiteboards',
    {
      schema: {
        tags,
        security,
        summary:
          'Boards in the tenant, most recently changed first; the bin with status=deleted; those linked to an approval or conversation with subject_type and subject_id',
        headers: tenantHeaders,
        querystring: whiteboardListQuerySchema,
        response: { 200: envelope(z.array(whiteboardSchema)) },
      },
    },
    async (request) => {
      const { boards, nextCursor } = await listWhiteboards(
        database,
        actorOf(request),
        request.query,
      );
      return { data: boards, meta: { ...meta(request), nextCursor } };
    },
  );

  app.post(
    '/whiteboards',
    {
      config: { idempotent: true },
      bodyLimit: documentBodyLimit,
      schema: {
        tags,
        security,
        summary: 'Create a board (empty, or from a document), optionally linked at once',
        headers: tenantHeaders,
        body: createWhiteboardBodySchema,
        response: { 201: envelope(whiteboardSchema) },
      },
    },
    async (request, reply) => {
      const board = await createWhiteboard(database, actorOf(request), settings, request.body);
      return reply.status(201).send({ data: board, meta: meta(request) });
    },
  );

  app.get(
    '/whiteboards/:id',
    {
      schema: {
        tags,
        security,
        summary: 'One board with its document and links (also while in the bin)',
        headers: tenantHeaders,
        params,
        response: { 200: envelope(whiteboardDetailSchema) },
      },
    },
    async (request) => ({
      data: await getWhiteboard(database, actorOf(request), settings, request.params.id),
      meta: meta(request),
    }),
  );

  app.patch(
    '/whiteboards/:id',
    {
      schema: {
        tags,
        security,
        summary: 'Rename a board',
        headers: tenantHeaders,
        params,
        body: renameWhiteboardBodySchema,
        response: { 200: envelope(whiteboardSchema) },
      },
    },
    async (request) => ({
      data: await renameWhiteboard(
        database,
        actorOf(request),
        request.params.id,
        request.body.title,
      ),
      meta: meta(request),
    }),
  );

  app.delete(
    '/whiteboards/:id',
    {
      schema: {
        tags,
        security,
        summary: 'Move a board to the bin (recoverable with POST /whiteboards/{id}/restore)',
        headers: tenantHeaders,
        params,
        response: { 200: envelope(whiteboardSchema) },
      },
    },
    async (request) => {
      const actor = actorOf(request);
      const board = await setDeleted(database, actor, request.params.id, true);
      await sessions.deleted(actor.tenantId, board.id);
      return { data: board, meta: meta(request) };
    },
  );

  app.post(
    '/whiteboards/:id/restore',
    {
      schema: {
        tags,
        security,
        summary: 'Take a board out of the bin',
        headers: tenantHeaders,
        params,
        response: { 200: envelope(whiteboardSchema) },
      },
    },
    async (request) => ({
      data: await setDeleted(database, actorOf(request), request.params.id, false),
      meta: meta(request),
    }),
  );

  app.put(
    '/whiteboards/:id/document',
    {
      bodyLimit: documentBodyLimit,
      schema: {
        tags,
        security,
        summary:
          "Save the board's whole document (autosave without live sync); 413 WHITEBOARD_TOO_LARGE over the limit",
        headers: tenantHeaders,
        params,
        body: saveWhiteboardDocumentBodySchema,
        response: { 200: envelope(whiteboardSchema) },
      },
    },
    async (request) => {
      const actor = actorOf(request);
      const { board, document } = await saveDocument(
        database,
        actor,
        settings,
        request.params.id,
        request.body,
      );
      await sessions.replaced(actor.tenantId, board.id, document);
      return { data: board, meta: meta(request) };
    },
  );

  app.get(
    '/whiteboards/:id/versions',
    {
      schema: {
        tags,
        security,
        summary: "The board's version history, newest first",
        headers: tenantHeaders,
        params,
        response: { 200: envelope(z.array(whiteboardVersionSchema)) },
      },
    },
    async (request) => ({
      data: await listVersions(database, actorOf(request), request.params.id),
      meta: meta(request),
    }),
  );

  app.post(
    '/whiteboards/:id/versions',
    {
      schema: {
        tags,
        security,
        summary: 'Keep the board as it is now as a named version',
        headers: tenantHeaders,
        params,
        body: createWhiteboardVersionBodySchema,
        response: { 201: envelope(whiteboardVersionSchema) },
      },
    },
    async (request, reply) => {
      const version = await createVersion(
        database,
        actorOf(request),
        settings,
        request.params.id,
        request.body?.label,
      );
      return reply.status(201).send({ data: version, meta: meta(request) });
    },
  );

  app.get(
    '/whiteboards/:id/versions/:version',
    {
      schema: {
        tags,
        security,
        summary: 'One version with its document (for a preview)',
        headers: tenantHeaders,
        params: versionParams,
        response: { 200: envelope(whiteboardVersionDetailSchema) },
      },
    },
    async (request) => ({
      data: await getVersion(database, actorOf(request), request.params.id, request.params.version),
      meta: meta(request),
    }),
  );

  app.post(
    '/whiteboards/:id/versions/:version/restore',
    {
      schema: {
        tags,
        security,
        summary:
          'Make an earlier version the current document (the replaced one is kept as a version); live editors see it at once',
        headers: tenantHeaders,
        params: versionParams,
        response: { 200: envelope(whiteboardSchema) },
      },
    },
    async (request) => {
      const actor = actorOf(request);
      const { board, document } = await restoreVersion(
        database,
        actor,
        settings,
        request.params.id,
        request.params.version,
      );
      await sessions.replaced(actor.tenantId, board.id, document);
      return { data: board, meta: meta(request) };
    },
  );

  app.post(
    '/whiteboards/:id/links',
    {
      schema: {
        tags,
        security,
        summary: 'Attach the board to an approval or a conversation (idempotent)',
        headers: tenantHeaders,
        params,
        body: linkWhiteboardBodySchema,
        response: { 200: envelope(whiteboardLinkSchema), 201: envelope(whiteboardLinkSchema) },
      },
    },
    async (request, reply) => {
      const { link, created } = await linkWhiteboard(
        database,
        actorOf(request),
        request.params.id,
        request.body,
      );
      return reply.status(created ? 201 : 200).send({ data: link, meta: meta(request) });
    },
  );

  app.delete(
    '/whiteboards/:id/links/:subjectType/:subjectId',
    {
      schema: {
        tags,
        security,
        summary: 'Detach the board from an approval or a conversation',
        headers: tenantHeaders,
        params: params.extend({
          subjectType: whiteboardSubjectTypeSchema,
          subjectId: z.string().min(1).max(200),
        }),
        response: { 204: z.null().describe('Detached') },
      },
    },
    async (request, reply) => {
      const { id, subjectType, subjectId } = request.params;
      await unlinkWhiteboard(database, actorOf(request), id, { subjectType, subjectId });
      return reply.status(204).send(null);
    },
  );

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
        const { userTenants } = schema;
        const ok = await database.withTenant(
          claims.tenantId,
          async (tx) => {
            const [member] = await tx
              .select({ role: userTenants.role })
              .from(userTenants)
              .where(
                and(
                  eq(userTenants.tenantId, claims.tenantId),
                  eq(userTenants.userId, claims.userId),
                ),
              );
            if (!member) return false;
            await loadBoard(tx, claims.tenantId, id, { active: true });
            return true;
          },
          claims.userId,
        );
        if (!ok) throw forbidden('You are no longer a member of this board’s tenant');
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
