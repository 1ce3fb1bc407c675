import {
  approvalEventSchema,
  approvalListQuerySchema,
  approvalSchema,
  approveBodySchema,
  createApprovalBodySchema,
  envelope,
  ledgerVerificationSchema,
  rejectBodySchema,
} from '@afenda/contracts';
import type { Database } from '@afenda/db';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { listApprovalEvents } from '@afenda/platform/approvals/approval-ledger';
import { createApproval } from '@afenda/platform/approvals/create-approval';
import { getApproval, listApprovals } from '@afenda/platform/approvals/list-approvals';
import { decideApproval, submitApproval } from '@afenda/platform/approvals/transition-approval';
import type { ApprovalRegistry } from '@afenda/platform/approvals/registry';
import { verifyLedger } from '@afenda/platform/approvals/verify-ledger';
import { forbidden } from '@afenda/platform/errors';
import { actorOf } from '@afenda/platform/http/tenant-context';
import { params, security, tenantHeaders } from '@afenda/platform/http/tenant-route';

export const approvalRoutes: FastifyPluginAsyncZod<{
  database: Database;
  approvals: ApprovalRegistry;
}> = async (app, { database, approvals: types }) => {
  app.get(
    '/approvals/types',
    {
      schema: {
        tags: ['approvals'],
        security,
        summary: 'The approval types and whether the caller may decide each',
        headers: tenantHeaders,
        response: {
          200: envelope(
            z.array(z.object({ id: z.string(), title: z.string(), mayDecide: z.boolean() })),
          ),
        },
      },
    },
    async (request) => {
      const actor = actorOf(request);
      return {
        data: types.list().map((t) => ({
          id: t.id,
          title: t.title,
          mayDecide: t.mayDecide(actor),
        })),
        meta: { requestId: request.id },
      };
    },
  );

  app.post(
    '/approvals/requests',
    {
      config: { idempotent: true },
      schema: {
        tags: ['approvals'],
        security,
        summary: 'Request an approval: a draft, or submitted at once with submit: true',
        headers: tenantHeaders,
        body: createApprovalBodySchema,
        response: { 201: envelope(approvalSchema) },
      },
    },
    async (request, reply) => {
      const approval = await createApproval(types, database, actorOf(request), request.body);
      return reply.status(201).send({ data: approval, meta: { requestId: request.id } });
    },
  );

  app.get(
    '/approvals',
    {
      schema: {
        tags: ['approvals'],
        security,
        summary:
          'Approvals in the tenant, newest first (keyset pagination: pass meta.nextCursor as cursor)',
        headers: tenantHeaders,
        querystring: approvalListQuerySchema,
        response: { 200: envelope(z.array(approvalSchema)) },
      },
    },
    async (request) => {
      const { approvals, nextCursor } = await listApprovals(
        types,
        database,
        actorOf(request),
        request.query,
      );
      return { data: approvals, meta: { requestId: request.id, nextCursor } };
    },
  );

  app.get(
    '/approvals/ledger/verify',
    {
      schema: {
        tags: ['approvals'],
        security,
        summary:
          "Verify the tenant's approval ledger (hash chain); names the first broken link. Admins and owners.",
        headers: tenantHeaders,
        response: { 200: envelope(ledgerVerificationSchema) },
      },
    },
    async (request) => {
      const actor = actorOf(request);
      if (actor.role !== 'owner' && actor.role !== 'admin')
        throw forbidden('Only admins and owners verify the ledger');
      return {
        data: await verifyLedger(database, actor.tenantId),
        meta: { requestId: request.id },
      };
    },
  );

  app.get(
    '/approvals/:id',
    {
      schema: {
        tags: ['approvals'],
        security,
        summary: 'One approval',
        headers: tenantHeaders,
        params,
        response: { 200: envelope(approvalSchema) },
      },
    },
    async (request) => ({
      data: await getApproval(database, actorOf(request), request.params.id),
      meta: { requestId: request.id },
    }),
  );

  app.post(
    '/approvals/:id/submit',
    {
      config: { idempotent: true },
      schema: {
        tags: ['approvals'],
        security,
        summary: 'Submit a draft (its requester)',
        headers: tenantHeaders,
        params,
        response: { 200: envelope(approvalSchema) },
      },
    },
    async (request) => ({
      data: await submitApproval(types, database, actorOf(request), request.params.id),
      meta: { requestId: request.id },
    }),
  );

  // The two decisions share everything but their body: a comment (optional) or a reason (required).
  const decisions = [
    {
      path: 'approve',
      decision: 'approved',
      summary: 'Approve (an optional comment)',
      body: approveBodySchema,
    },
    {
      path: 'reject',
      decision: 'rejected',
      summary: 'Reject (a reason is required)',
      body: rejectBodySchema,
    },
  ] as const;
  for (const d of decisions) {
    app.post(
      `/approvals/:id/${d.path}`,
      {
        config: { idempotent: true },
        schema: {
          tags: ['approvals'],
          security,
          summary: d.summary,
          headers: tenantHeaders,
          params,
          body: d.body,
          response: { 200: envelope(approvalSchema) },
        },
      },
      async (request) => {
        const body = (request.body ?? {}) as { comment?: string; reason?: string };
        const note = (d.decision === 'approved' ? body.comment : body.reason) || undefined;
        return {
          data: await decideApproval(
            types,
            database,
            actorOf(request),
            request.params.id,
            d.decision,
            note,
          ),
          meta: { requestId: request.id },
        };
      },
    );
  }

  app.get(
    '/approvals/:id/events',
    {
      schema: {
        tags: ['approvals'],
        security,
        summary: "One approval's ledger entries, oldest first, with each actor's name",
        headers: tenantHeaders,
        params,
        response: { 200: envelope(z.array(approvalEventSchema)) },
      },
    },
    async (request) => ({
      data: await listApprovalEvents(database, actorOf(request), request.params.id),
      meta: { requestId: request.id },
    }),
  );
};
