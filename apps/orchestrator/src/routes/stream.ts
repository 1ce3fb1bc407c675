import { security } from '@afenda/platform/http/tenant-route';
import { STREAM_EVENT_NAMES } from '@afenda/contracts';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { Counter, Gauge } from 'prom-client';
import { z } from 'zod';
import type { StreamHub } from '../domain/stream/hub.ts';
import { parsePosition } from '../domain/stream/position.ts';
import { AppError } from '@afenda/platform/errors';
import { actorOf } from '@afenda/platform/http/tenant-context';

/** GET /api/v1/stream: the caller's live events in the active tenant, as Server-Sent Events. */
export const streamRoutes: FastifyPluginAsyncZod<{ hub: StreamHub }> = async (app, { hub }) => {
  // Streams end first at shutdown (clients reconnect elsewhere), or the server could not close.
  app.addHook('preClose', () => hub.close());
  new Gauge({
    name: 'afenda_stream_connections',
    help: 'Live streams open on this replica',
    registers: [app.metrics],
    collect() {
      this.set(hub.stats.connections);
    },
  });
  // The hub counts since start; the counters follow it.
  const counter = (name: string, help: string, read: () => number) => {
    let seen = 0;
    new Counter({
      name,
      help,
      registers: [app.metrics],
      collect() {
        const now = read();
        if (now > seen) this.inc(now - seen);
        seen = now;
      },
    });
  };
  counter(
    'afenda_stream_events_delivered_total',
    'Live-stream events written to clients',
    () => hub.stats.delivered,
  );
  counter(
    'afenda_stream_clients_cut_off_total',
    'Live-stream clients cut off for not reading (they resume by Last-Event-ID)',
    () => hub.stats.cutOff,
  );
  app.get(
    '/stream',
    {
      config: { tenantQuery: true },
      schema: {
        tags: ['stream'],
        security,
        summary: `Live events (text/event-stream): ${STREAM_EVENT_NAMES.join(', ')}. Resume with Last-Event-ID.`,
        description:
          'Each event has an `id:` (send it back as Last-Event-ID to get every event after it), ' +
          'an `event:` name and JSON `data:`. `: ping` comments are heartbeats. A client that ' +
          'reads too slowly is disconnected and resumes by Last-Event-ID.',
        headers: z.object({
          'x-tenant-id': z.uuid().optional().describe('The tenant (or the tenant query parameter)'),
          'last-event-id': z.string().max(100).optional().describe('Resume after this event'),
        }),
        querystring: z.object({
          tenant: z.uuid().optional().describe('The tenant, for clients that cannot set headers'),
        }),
      },
    },
    async (request, reply) => {
      const actor = actorOf(request);
      const from = parsePosition(request.headers['last-event-id']);
      if (!hub.accepting)
        throw new AppError('STREAM_UNAVAILABLE', 503, 'Too many live connections here; retry');
      await hub.ready();
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(reply.getHeaders()))
        if (v !== undefined) headers[k] = String(v);
      reply.hijack();
      const res = reply.raw;
      // Fastify keeps its request and reply (with their logger) alive through these listeners
      // until the response ends, which for a stream can be hours: ~6 kB per open stream
      // (bench/README.md, live-stream). The stream logs its own end instead.
      res.removeAllListeners('finish');
      res.removeAllListeners('error');
      res.on('error', () => undefined);
      const opened = Date.now();
      const fields = { reqId: request.id, userId: actor.userId, tenantId: actor.tenantId };
      res.once('close', () =>
        app.log.info({ ...fields, responseTime: Date.now() - opened }, 'stream closed'),
      );
      const until = request.auth?.tokenExpiresAt;
      hub.open(res, headers, { tenantId: actor.tenantId, userId: actor.userId, until }, from);
    },
  );
};
