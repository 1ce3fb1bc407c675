import { activityEntrySchema, activityListQuerySchema, envelope } from '@afenda/contracts';
import type { Database } from '@afenda/db';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { Readable } from 'node:stream';
import { z } from 'zod';
import { exportActivity, getActivity, listActivity } from '@afenda/platform/activity/activity';
import { forbidden } from '@afenda/platform/errors';
import { actorOf } from '@afenda/platform/http/tenant-context';
import { security, tenantHeaders } from '@afenda/platform/http/tenant-route';

const COLUMNS = [
  'occurredAt',
  'type',
  'source',
  'actorId',
  'subjectType',
  'subjectId',
  'title',
  'description',
  'id',
  'data',
] as const;

function csvCell(value: unknown): string {
  const text =
    value === null || value === undefined
      ? ''
      : typeof value === 'string'
        ? value
        : JSON.stringify(value);
  // Quote everything; neutralise spreadsheet formulas (OWASP CSV injection).
  const safe = /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
  return `"${safe.replaceAll('"', '""')}"`;
}

export const activityRoutes: FastifyPluginAsyncZod<{ database: Database }> = async (
  app,
  { database },
) => {
  app.get(
    '/activity',
    {
      schema: {
        tags: ['activity'],
        security,
        summary: "The tenant's timeline across every tool, newest first (keyset pagination)",
        headers: tenantHeaders,
        querystring: activityListQuerySchema,
        response: { 200: envelope(z.array(activityEntrySchema)) },
      },
    },
    async (request) => {
      const actor = actorOf(request);
      const { entries, nextCursor } = await listActivity(database, actor.tenantId, request.query);
      return { data: entries, meta: { requestId: request.id, nextCursor } };
    },
  );

  app.get(
    '/activity/export',
    {
      schema: {
        tags: ['activity'],
        security,
        summary: 'Audit export of the timeline as CSV or NDJSON, streamed (admins and owners)',
        headers: tenantHeaders,
        querystring: activityListQuerySchema
          .omit({ limit: true, cursor: true })
          .extend({ format: z.enum(['csv', 'ndjson']).default('ndjson') }),
      },
    },
    async (request, reply) => {
      const actor = actorOf(request);
      if (actor.role !== 'owner' && actor.role !== 'admin')
        throw forbidden('Only admins and owners export the audit trail');
      const { format, ...filters } = request.query;
      const rows = exportActivity(database, actor.tenantId, filters);
      async function* lines() {
        if (format === 'csv') yield `${COLUMNS.join(',')}\n`;
        for await (const entry of rows) {
          yield format === 'csv'
            ? `${COLUMNS.map((c) => csvCell(entry[c])).join(',')}\n`
            : `${JSON.stringify(entry)}\n`;
        }
      }
      const stamp = new Date().toISOString().slice(0, 10);
      reply
        .type(format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson')
        .header(
          'content-disposition',
          `attachment; filename="activity-${stamp}.${format === 'csv' ? 'csv' : 'ndjson'}"`,
        )
        .header('cache-control', 'no-store');
      return reply.send(Readable.from(lines()));
    },
  );

  app.get(
    '/activity/:id',
    {
      schema: {
        tags: ['activity'],
        security,
        summary: 'One timeline entry',
        headers: tenantHeaders,
        params: z.object({ id: z.uuid() }),
        response: { 200: envelope(activityEntrySchema) },
      },
    },
    async (request) => ({
      data: await getActivity(database, actorOf(request).tenantId, request.params.id),
      meta: { requestId: request.id },
    }),
  );
};
