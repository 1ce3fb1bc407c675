import {
  createWhiteboardVersionBodySchema,
  int32Param,
  envelope,
  whiteboardSchema,
  whiteboardVersionDetailSchema,
  whiteboardVersionSchema,
} from '@afenda/contracts';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { createVersion, getVersion, listVersions, restoreVersion } from '../versions.ts';
import { actorOf } from '@afenda/platform/http/tenant-context';
import { params, security, tenantHeaders } from '@afenda/platform/http/tenant-route';

import type { WhiteboardRouteOptions } from './options.ts';

const tags = ['whiteboards'];
const versionParams = params.extend({
  version: int32Param().min(1),
});

/** A board's versions: list, make one, read one, restore one. */
export const versionRoutes: FastifyPluginAsyncZod<WhiteboardRouteOptions> = async (
  app,
  { database, settings, sessions },
) => {
  const meta = (request: { id: string }) => ({ requestId: request.id });
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
};
