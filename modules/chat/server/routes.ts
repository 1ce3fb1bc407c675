import { chatRoomSchema, matrixStatusSchema, type MatrixStatus } from '@afenda/contracts';
import type { Database } from '@afenda/db';
import { actorOf } from '@afenda/platform/http/tenant-context';
import { security, tenantHeaders } from '@afenda/platform/http/tenant-route';
import type { Platform } from '@afenda/platform/platform';
import { ingestDelivery, keepRawJsonBodies } from '@afenda/platform/webhooks/ingest';
import { asc } from 'drizzle-orm';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { chatRooms } from './schema.ts';

/**
 * Synapse appends the application-service path to the registration's url
 * (<orchestrator>/api/v1/webhooks/matrix): its transactions arrive here, stored like every
 * delivery under the source "matrix".
 */
export const matrixTransactionRoutes: FastifyPluginAsyncZod<{
  platform: Platform;
  bodyLimit: number;
}> = async (app, { platform, bodyLimit }) => {
  keepRawJsonBodies(app, bodyLimit);
  app.put(
    '/webhooks/matrix/_matrix/app/v1/transactions/:txnId',
    {
      config: { auth: 'public', rateLimit: 'webhooks' },
      bodyLimit,
      schema: {
        tags: ['webhooks'],
        summary:
          'Matrix application-service transaction (url: <orchestrator>/api/v1/webhooks/matrix)',
        params: z.object({ txnId: z.string().min(1).max(128) }),
        response: { 200: z.object({}) },
      },
    },
    async (request) => {
      await ingestDelivery(
        platform.deliveries,
        'matrix',
        { ...request.headers, 'x-matrix-txn-id': request.params.txnId },
        request.body,
      );
      return {};
    },
  );
};

const KIND_ORDER: Record<string, number> = { org: 0, team: 1, direct: 2, space: 3 };

/** The caller's rooms in the active tenant, for the Shell's Team chat page. */
export const chatRoomRoutes: FastifyPluginAsyncZod<{
  database: Database;
  status: () => MatrixStatus;
}> = async (app, { database, status }) => {
  app.get(
    '/chat/rooms',
    {
      schema: {
        tags: ['chat'],
        security,
        summary:
          "The active tenant's Matrix rooms (an organisation's space and room, a team's room, a person's direct room with the bot), with their last activity; meta.matrix says whether Matrix is connected and what is missing",
        headers: tenantHeaders,
        response: {
          200: z.object({
            data: z.array(chatRoomSchema),
            meta: z.object({ requestId: z.string(), matrix: matrixStatusSchema }),
          }),
        },
      },
    },
    async (request) => {
      const actor = actorOf(request);
      const matrix = status();
      const rows = await database.withTenant(
        actor.tenantId,
        (tx) => tx.select().from(chatRooms).orderBy(asc(chatRooms.createdAt)),
        actor.userId,
      );
      const element = matrix.elementUrl?.replace(/\/+$/, '');
      return {
        data: rows
          .sort((a, b) => (KIND_ORDER[a.kind] ?? 9) - (KIND_ORDER[b.kind] ?? 9))
          .map((r) => ({
            id: r.id,
            roomId: r.roomId,
            kind: r.kind,
            name: r.name,
            lastEventAt: r.lastEventAt?.toISOString() ?? null,
            lastSender: r.lastSender,
            lastExcerpt: r.lastExcerpt,
            elementUrl: element ? `${element}/#/room/${encodeURIComponent(r.roomId)}` : null,
          })),
        meta: { requestId: request.id, matrix },
      };
    },
  );
};
