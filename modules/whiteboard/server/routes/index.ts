import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { boardRoutes } from './boards.ts';
import { linkRoutes } from './links.ts';
import type { WhiteboardRouteOptions } from './options.ts';
import { syncRoutes } from './sync.ts';
import { versionRoutes } from './versions.ts';

export type { WhiteboardRouteOptions };

/** Every whiteboard route, one file per resource. */
export const whiteboardRoutes: FastifyPluginAsyncZod<WhiteboardRouteOptions> = async (
  app,
  options,
) => {
  for (const routes of [boardRoutes, versionRoutes, linkRoutes, syncRoutes])
    await app.register(routes, options);
};
