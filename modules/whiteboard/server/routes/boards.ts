import {
  createWhiteboardBodySchema,
  envelope,
  renameWhiteboardBodySchema,
  saveWhiteboardDocumentBodySchema,
  whiteboardDetailSchema,
  whiteboardListQuerySchema,
  whiteboardSchema,
} from '@afenda/contracts';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  createWhiteboard,
  getWhiteboard,
  listWhiteboards,
  renameWhiteboard,
  saveDocument,
  setDeleted,
} from '../boards.ts';
import { actorOf } from '@afenda/platform/http/tenant-context';
import { params, security, tenantHeaders } from '@afenda/platform/http/tenant-route';

import type { WhiteboardRouteOptions } from './options.ts';

const tags = ['whiteboards'];

/** Boards: list, create, read, rename, delete and restore, save the document. */
export const boardRoutes: FastifyPluginAsyncZod<WhiteboardRouteOptions> = async (
  app,
  { database, settings, sessions },
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
};
