import {
  createRoomBodySchema,
  envelope,
  roomJoinSchema,
  roomListQuerySchema,
  roomSchema,
} from '@afenda/contracts';
import type { Database } from '@afenda/db';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { createRoom } from './create-room.ts';
import type { VideoSettings } from './settings.ts';
import { endRoom } from './end-room.ts';
import { createJitsiSigner } from './jitsi-token.ts';
import { joinRoom } from './join-room.ts';
import { getRoom, listRooms } from './list-rooms.ts';
import { actorOf } from '@afenda/platform/http/tenant-context';
import { params, security, tenantHeaders } from '@afenda/platform/http/tenant-route';

/** Consultation rooms: open (or request), list, end, join with a Jitsi token. */
export const roomRoutes: FastifyPluginAsyncZod<{
  database: Database;
  settings: VideoSettings;
}> = async (app, { database, settings }) => {
  const signer = createJitsiSigner(settings);
  const jitsi = { configured: signer !== null, url: signer?.url ?? null };

  app.post(
    '/rooms/consultation/create',
    {
      config: { idempotent: true },
      schema: {
        tags: ['rooms'],
        security,
        summary:
          'Open a consultation room now (owners, admins, approvers; others request a consultation_room approval)',
        headers: tenantHeaders,
        body: createRoomBodySchema,
        response: { 201: envelope(roomSchema) },
      },
    },
    async (request, reply) => {
      const room = await createRoom(
        database,
        actorOf(request),
        request.body,
        settings.ROOM_TTL_MINUTES,
      );
      return reply.status(201).send({ data: room, meta: { requestId: request.id } });
    },
  );

  app.get(
    '/rooms',
    {
      schema: {
        tags: ['rooms'],
        security,
        summary:
          "The tenant's rooms the caller is in (owners and admins: all), newest first; meta.jitsi says whether Jitsi is configured",
        headers: tenantHeaders,
        querystring: roomListQuerySchema,
        response: { 200: envelope(z.array(roomSchema)) },
      },
    },
    async (request) => {
      const { rooms, nextCursor } = await listRooms(database, actorOf(request), request.query);
      return { data: rooms, meta: { requestId: request.id, nextCursor, jitsi } };
    },
  );

  app.get(
    '/rooms/:id',
    {
      schema: {
        tags: ['rooms'],
        security,
        summary: 'One room (its participants, and owners and admins)',
        headers: tenantHeaders,
        params,
        response: { 200: envelope(roomSchema) },
      },
    },
    async (request) => ({
      data: await getRoom(database, actorOf(request), request.params.id),
      meta: { requestId: request.id },
    }),
  );

  app.delete(
    '/rooms/:id',
    {
      schema: {
        tags: ['rooms'],
        security,
        summary: 'End a room (its moderator, admins, owners): no token is issued for it afterwards',
        headers: tenantHeaders,
        params,
        response: { 200: envelope(roomSchema) },
      },
    },
    async (request) => ({
      data: await endRoom(database, actorOf(request), request.params.id),
      meta: { requestId: request.id },
    }),
  );

  app.get(
    '/rooms/:id/join',
    {
      schema: {
        tags: ['rooms'],
        security,
        summary:
          "The caller's Jitsi token and meeting URL (participants only: 404 otherwise; 410 once ended or expired)",
        headers: tenantHeaders,
        params,
        response: { 200: envelope(roomJoinSchema) },
      },
    },
    async (request, reply) => {
      const join = await joinRoom(database, actorOf(request), request.params.id, signer);
      // A bearer credential: never cached by anything between us and the Shell.
      void reply.header('cache-control', 'no-store');
      return { data: join, meta: { requestId: request.id } };
    },
  );
};
