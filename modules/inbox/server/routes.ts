import {
  approvalSchema,
  conversationDetailSchema,
  conversationListQuerySchema,
  conversationSchema,
  envelope,
  escalateBodySchema,
  int32Param,
} from '@afenda/contracts';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { escalateConversation } from './escalate.ts';
import { getConversation, listConversations } from './queries.ts';
import type { ChatwootAccounts } from './accounts.ts';
import type { ApprovalRegistry } from '@afenda/platform/approvals/registry';
import { actorOf } from '@afenda/platform/http/tenant-context';
import { params, security, tenantHeaders } from '@afenda/platform/http/tenant-route';
import type { Database } from '@afenda/db';

/** The conversations the orchestrator mirrors from Chatwoot, and escalation to CEO approval. */
export const conversationRoutes: FastifyPluginAsyncZod<{
  database: Database;
  approvals: ApprovalRegistry;
  accounts: ChatwootAccounts;
}> = async (app, { database, approvals, accounts }) => {
  const linker = async () => {
    const link = await accounts.linker();
    return (row: { accountId: number; displayId: number }) => link(row.accountId, row.displayId);
  };

  app.get(
    '/conversations',
    {
      schema: {
        tags: ['inbox'],
        security,
        summary: "The organisation's conversations, latest activity first (keyset pagination)",
        headers: tenantHeaders,
        querystring: conversationListQuerySchema,
        response: { 200: envelope(z.array(conversationSchema)) },
      },
    },
    async (request) => {
      const actor = actorOf(request);
      const { conversations, nextCursor } = await listConversations(
        database,
        actor.tenantId,
        request.query,
        await linker(),
      );
      return { data: conversations, meta: { requestId: request.id, nextCursor } };
    },
  );

  app.get(
    '/conversations/:id',
    {
      schema: {
        tags: ['inbox'],
        security,
        summary: 'A conversation with its latest messages (oldest first)',
        headers: tenantHeaders,
        params,
        response: { 200: envelope(conversationDetailSchema) },
      },
    },
    async (request) => {
      const actor = actorOf(request);
      const detail = await getConversation(
        database,
        actor.tenantId,
        { id: request.params.id },
        await linker(),
      );
      return { data: detail, meta: { requestId: request.id } };
    },
  );

  app.get(
    '/conversations/by-ref/chatwoot/:accountId/:displayId',
    {
      schema: {
        tags: ['inbox'],
        security,
        summary: "A conversation by Chatwoot's ids (the Dashboard App knows only those)",
        headers: tenantHeaders,
        params: z.object({
          accountId: int32Param(),
          displayId: int32Param(),
        }),
        response: { 200: envelope(conversationDetailSchema) },
      },
    },
    async (request) => {
      const actor = actorOf(request);
      const detail = await getConversation(
        database,
        actor.tenantId,
        request.params,
        await linker(),
      );
      return { data: detail, meta: { requestId: request.id } };
    },
  );

  app.post(
    '/conversations/:id/escalate',
    {
      config: { idempotent: true },
      schema: {
        tags: ['inbox'],
        security,
        summary:
          'Escalate to CEO approval: 201 with the new request, or 200 with the one still pending',
        headers: tenantHeaders,
        params,
        querystring: z.object({
          via: z.enum(['shell', 'dashboard_app']).default('shell'),
        }),
        body: escalateBodySchema,
        response: { 200: envelope(approvalSchema), 201: envelope(approvalSchema) },
      },
    },
    async (request, reply) => {
      const { approval, created } = await escalateConversation(
        approvals,
        database,
        actorOf(request),
        request.params.id,
        request.query.via,
        request.body,
      );
      return reply
        .status(created ? 201 : 200)
        .send({ data: approval, meta: { requestId: request.id } });
    },
  );
};
