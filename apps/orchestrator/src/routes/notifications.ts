import {
  envelope,
  notificationListQuerySchema,
  notificationSchema,
  unreadCountSchema,
} from '@afenda/contracts';
import type { Database } from '@afenda/db';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  listNotifications,
  markAllRead,
  markRead,
  unreadCount,
} from '../domain/notifications/notifications.ts';
import { actorOf } from '@afenda/platform/http/tenant-context';
import { security, tenantHeaders } from '@afenda/platform/http/tenant-route';

/** The caller's notification center in the active tenant. */
export const notificationRoutes: FastifyPluginAsyncZod<{ database: Database }> = async (
  app,
  { database },
) => {
  app.get(
    '/notifications',
    {
      schema: {
        tags: ['notifications'],
        security,
        summary: "The caller's notifications in the tenant, newest first (keyset pagination)",
        headers: tenantHeaders,
        querystring: notificationListQuerySchema,
        response: { 200: envelope(z.array(notificationSchema)) },
      },
    },
    async (request) => {
      const { notifications, nextCursor } = await listNotifications(
        database,
        actorOf(request),
        request.query,
      );
      return { data: notifications, meta: { requestId: request.id, nextCursor } };
    },
  );

  app.get(
    '/notifications/unread-count',
    {
      schema: {
        tags: ['notifications'],
        security,
        summary: "How many of the caller's notifications in the tenant are unread",
        headers: tenantHeaders,
        response: { 200: envelope(unreadCountSchema) },
      },
    },
    async (request) => ({
      data: { count: await unreadCount(database, actorOf(request)) },
      meta: { requestId: request.id },
    }),
  );

  app.post(
    '/notifications/read-all',
    {
      schema: {
        tags: ['notifications'],
        security,
        summary: 'Mark every unread notification of the caller in the tenant read; how many were',
        headers: tenantHeaders,
        response: {
          200: envelope(z.object({ marked: z.number().int().nonnegative() })),
        },
      },
    },
    async (request) => ({
      data: { marked: await markAllRead(database, actorOf(request)) },
      meta: { requestId: request.id },
    }),
  );

  app.post(
    '/notifications/:id/read',
    {
      schema: {
        tags: ['notifications'],
        security,
        summary: 'Mark one notification read (again: no change)',
        headers: tenantHeaders,
        params: z.object({ id: z.uuid() }),
        response: { 200: envelope(notificationSchema) },
      },
    },
    async (request) => ({
      data: await markRead(database, actorOf(request), request.params.id),
      meta: { requestId: request.id },
    }),
  );
};
