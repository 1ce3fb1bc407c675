import {
  envelope,
  meSchema,
  tenantNodeSchema,
  tenantParamsSchema,
  tenantContactSchema,
  tenantSchema,
} from '@afenda/contracts';
import type { Database } from '@afenda/db';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  activeTenantId,
  asTree,
  getMe,
  getMyTenant,
  listMyTenants,
  listTenantContacts,
  switchTenant,
} from '../domain/tenants/tenants.ts';
import { security } from '@afenda/platform/http/tenant-route';

/** The caller and their tenants. Every tenant id is checked against membership: 404 otherwise. */
export const tenantRoutes: FastifyPluginAsyncZod<{ database: Database }> = async (
  app,
  { database },
) => {
  app.get(
    '/me',
    {
      schema: {
        tags: ['tenants'],
        security,
        summary: 'Who the caller is',
        response: { 200: envelope(meSchema) },
      },
    },
    async (request) => {
      const auth = request.auth!;
      const me = await getMe(database, auth.userId);
      return {
        data: {
          id: me.id,
          subject: me.keycloakId,
          username: me.username,
          displayName: me.displayName,
          email: me.email,
          personalTenantId: me.personalTenantId,
          activeTenantId: await activeTenantId(database, auth.userId, auth.sessionId),
        },
        meta: { requestId: request.id },
      };
    },
  );

  app.get(
    '/tenants',
    {
      schema: {
        tags: ['tenants'],
        security,
        summary: "The caller's tenants as a tree: individual, organisations, their teams",
        response: { 200: envelope(z.array(tenantNodeSchema)) },
      },
    },
    async (request) => {
      const auth = request.auth!;
      const list = await listMyTenants(database, auth.userId);
      return {
        data: asTree(list),
        meta: {
          requestId: request.id,
          count: list.length,
          activeTenantId: await activeTenantId(database, auth.userId, auth.sessionId, list),
        },
      };
    },
  );

  app.get(
    '/tenants/:tenantId',
    {
      schema: {
        tags: ['tenants'],
        security,
        summary: 'One tenant the caller belongs to',
        params: tenantParamsSchema,
        response: { 200: envelope(tenantSchema) },
      },
    },
    async (request) => ({
      data: await getMyTenant(database, request.auth!.userId, request.params.tenantId),
      meta: { requestId: request.id },
    }),
  );

  app.get(
    '/tenants/:tenantId/contacts',
    {
      schema: {
        tags: ['tenants'],
        security,
        summary:
          "Whom to ask about the tenant's setup: its organisation's owners and admins (none for a personal tenant)",
        params: tenantParamsSchema,
        response: { 200: envelope(z.array(tenantContactSchema)) },
      },
    },
    async (request) => ({
      data: await listTenantContacts(database, request.auth!.userId, request.params.tenantId),
      meta: { requestId: request.id },
    }),
  );

  app.post(
    '/tenants/:tenantId/switch',
    {
      schema: {
        tags: ['tenants'],
        security,
        summary: 'Make this the active tenant of the current session',
        params: tenantParamsSchema,
        response: { 200: envelope(tenantSchema) },
      },
    },
    async (request) => {
      const auth = request.auth!;
      const tenant = await switchTenant(
        database,
        auth.userId,
        auth.sessionId,
        request.params.tenantId,
      );
      return { data: tenant, meta: { requestId: request.id, activeTenantId: tenant.id } };
    },
  );
};
