/**
 * What an organisation's admins see of the integration plumbing: webhook deliveries and their
 * state, outbound actions (calls into other tools) and their state, the dead letters of both,
 * and replay. Owners and admins of the active tenant only, and only their organisation's.
 */
import {
  deliverySchema,
  deliveryStatusSchema,
  envelope,
  outboundSchema,
  outboundStatusSchema,
} from '@afenda/contracts';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { outboundView, listOutbound, replayOutbound } from '@afenda/platform/outbound/outbound';
import {
  deliveryView,
  getDelivery,
  listDeliveries,
  replayDeliveries,
} from '@afenda/platform/webhooks/deliveries';
import { AppError, forbidden, notFound } from '@afenda/platform/errors';
import type { Platform } from '@afenda/platform/platform';
import { actorOf } from '@afenda/platform/http/tenant-context';
import type { FastifyRequest } from 'fastify';
import { security, tenantHeaders } from '@afenda/platform/http/tenant-route';

const listQuery = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  before: z.iso.datetime({ offset: true }).optional().describe('Only entries older than this'),
});

function adminOf(request: FastifyRequest) {
  const actor = actorOf(request);
  if (actor.role !== 'owner' && actor.role !== 'admin')
    throw forbidden('Only owners and admins see the integration plumbing');
  return actor;
}

export const operationsRoutes: FastifyPluginAsyncZod<{ platform: Platform }> = async (
  app,
  { platform },
) => {
  const { database } = platform.deliveries;

  app.get(
    '/admin/deliveries',
    {
      schema: {
        tags: ['operations'],
        security,
        summary: "The organisation's webhook deliveries, newest first, with their state",
        headers: tenantHeaders,
        querystring: listQuery.extend({
          status: deliveryStatusSchema.optional(),
          source: z.string().max(32).optional(),
        }),
        response: { 200: envelope(z.array(deliverySchema)) },
      },
    },
    async (request) => {
      const actor = adminOf(request);
      const q = request.query;
      const rows = await listDeliveries(database, {
        tenantId: actor.tenantId,
        status: q.status,
        source: q.source,
        limit: q.limit,
        before: q.before ? new Date(q.before) : undefined,
      });
      return { data: rows.map(deliveryView), meta: { requestId: request.id } };
    },
  );

  app.get(
    '/admin/deliveries/:id',
    {
      schema: {
        tags: ['operations'],
        security,
        summary: 'One delivery: received, processed, ignored (why), failed (its error) or dead',
        headers: tenantHeaders,
        params: z.object({ id: z.uuid() }),
        response: { 200: envelope(deliverySchema) },
      },
    },
    async (request) => {
      const actor = adminOf(request);
      const row = await getDelivery(database, request.params.id, actor.tenantId);
      if (!row) throw notFound('Delivery');
      return { data: deliveryView(row), meta: { requestId: request.id } };
    },
  );

  app.get(
    '/admin/outbound',
    {
      schema: {
        tags: ['operations'],
        security,
        summary:
          'Calls into other tools (outbound actions, e.g. a note back into a tool) and their state',
        headers: tenantHeaders,
        querystring: listQuery.extend({
          status: outboundStatusSchema.optional(),
          subject: z.string().max(200).optional().describe('e.g. the approval id'),
        }),
        response: { 200: envelope(z.array(outboundSchema)) },
      },
    },
    async (request) => {
      const actor = adminOf(request);
      const q = request.query;
      const rows = await listOutbound(database, actor.tenantId, {
        status: q.status,
        subjectId: q.subject,
        limit: q.limit,
        before: q.before ? new Date(q.before) : undefined,
      });
      return { data: rows.map(outboundView), meta: { requestId: request.id } };
    },
  );

  app.get(
    '/admin/dead-letters',
    {
      schema: {
        tags: ['operations'],
        security,
        summary: 'Everything that gave up: dead deliveries and dead outbound actions',
        headers: tenantHeaders,
        querystring: listQuery,
        response: {
          200: envelope(
            z.object({ deliveries: z.array(deliverySchema), outbound: z.array(outboundSchema) }),
          ),
        },
      },
    },
    async (request) => {
      const actor = adminOf(request);
      const before = request.query.before ? new Date(request.query.before) : undefined;
      const [deliveries, outbound] = await Promise.all([
        listDeliveries(database, {
          tenantId: actor.tenantId,
          status: 'dead',
          limit: request.query.limit,
          before,
        }),
        listOutbound(database, actor.tenantId, {
          status: 'dead',
          limit: request.query.limit,
          before,
        }),
      ]);
      return {
        data: { deliveries: deliveries.map(deliveryView), outbound: outbound.map(outboundView) },
        meta: { requestId: request.id },
      };
    },
  );

  app.post(
    '/admin/dead-letters/replay',
    {
      schema: {
        tags: ['operations'],
        security,
        summary:
          'Replay dead (or failed) deliveries and outbound actions: the given ids, or all of them',
        headers: tenantHeaders,
        body: z
          .object({
            ids: z.array(z.uuid()).min(1).max(1000).optional().describe('Omit to replay all'),
          })
          .default({}),
        response: {
          200: envelope(z.object({ deliveries: z.array(z.uuid()), outbound: z.array(z.uuid()) })),
        },
      },
    },
    async (request) => {
      const actor = adminOf(request);
      const ids = request.body.ids;
      const deliveries = await replayDeliveries(platform.deliveries, {
        tenantId: actor.tenantId,
        ids,
      });
      const outbound = await replayOutbound(platform.outbound, actor.tenantId, ids);
      if (ids && deliveries.length + outbound.length === 0) {
        throw new AppError(
          'NOTHING_TO_REPLAY',
          409,
          'None of these is dead, failed or unmapped: processed work has had its effect and is not run again',
        );
      }
      return { data: { deliveries, outbound }, meta: { requestId: request.id } };
    },
  );
};
