import {
  envelope,
  linkWhiteboardBodySchema,
  whiteboardLinkSchema,
  whiteboardSubjectTypeSchema,
} from '@afenda/contracts';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { linkWhiteboard, unlinkWhiteboard } from '../links.ts';
import { actorOf } from '@afenda/platform/http/tenant-context';
import { params, security, tenantHeaders } from '@afenda/platform/http/tenant-route';

import type { WhiteboardRouteOptions } from './options.ts';

const tags = ['whiteboards'];

/** Links from a board to an approval or a conversation. */
export const linkRoutes: FastifyPluginAsyncZod<WhiteboardRouteOptions> = async (
  app,
  { database },
) => {
  const meta = (request: { id: string }) => ({ requestId: request.id });
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
};
