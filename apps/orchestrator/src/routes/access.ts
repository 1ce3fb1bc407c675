/**
 * Access: what Keycloak grants each person of the organisation in each tool, and whether the
 * tool holds exactly that (owners and admins). Written by the access reconcile
 * (packages/platform/src/access/engine.ts); "Sync now" queues a run of every connected tool.
 */
import { accessOverviewSchema, accessReportSchema, type AccessStatus } from '@afenda/contracts';
import { schema, type Database } from '@afenda/db';
import { AppError, forbidden } from '@afenda/platform/errors';
import { actorOf } from '@afenda/platform/http/tenant-context';
import { params, security, tenantHeaders } from '@afenda/platform/http/tenant-route';
import type { AccessEngine } from '@afenda/platform/access/engine';
import type { Actor } from '@afenda/platform/context';
import { and, desc, eq, like } from 'drizzle-orm';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';

const S = schema.accessState;
const RANK = { in_sync: 0, repaired: 1, pending: 2, failing: 3 } as const;

/** Owners and admins of an organisation (access is per organisation). */
async function organisation(database: Database, actor: Actor): Promise<string> {
  if (actor.role !== 'owner' && actor.role !== 'admin')
    throw forbidden("Only the organisation's owners and admins see its access");
  const [tenant] = await database.withTenant(
    actor.tenantId,
    (tx) =>
      tx
        .select({ kind: schema.tenants.kind })
        .from(schema.tenants)
        .where(eq(schema.tenants.id, actor.tenantId)),
    actor.userId,
  );
  if (tenant?.kind !== 'organization')
    throw new AppError(
      'ACCESS_ORGANISATION_REQUIRED',
      400,
      'Access is kept per organisation: switch to the organisation to see it',
    );
  return actor.tenantId;
}

const iso = (d: Date | null) => d?.toISOString() ?? null;

export const accessRoutes: FastifyPluginAsyncZod<{
  database: Database;
  access: AccessEngine;
}> = async (app, { database, access }) => {
  const lastRuns = async (org: string) => {
    const runs = await database.transaction({ sync: true }, (tx) =>
      tx
        .select()
        .from(schema.syncRuns)
        .where(and(eq(schema.syncRuns.subject, org), like(schema.syncRuns.source, 'access:%')))
        .orderBy(desc(schema.syncRuns.startedAt))
        .limit(200),
    );
    return access.list().map((t) => {
      const run =
        runs.find((r) => r.source === `access:${t.id}` && r.status !== 'running') ??
        runs.find((r) => r.source === `access:${t.id}`);
      return {
        id: t.id,
        name: t.name,
        guard: t.guard,
        configured: t.configured(),
        lastRun: run
          ? {
              status: run.status,
              trigger: run.trigger,
              startedAt: run.startedAt.toISOString(),
              finishedAt: iso(run.finishedAt),
              result: run.result,
              error: run.error,
            }
          : null,
      };
    });
  };

  app.get(
    '/access',
    {
      schema: {
        tags: ['access'],
        security,
        summary:
          "The organisation's people × tools: in sync, drifted and repaired, pending or failing (with the error); each tool's last run; the drift history",
        headers: tenantHeaders,
        response: {
          200: z.object({
            data: accessOverviewSchema,
            meta: z.object({ requestId: z.string() }),
          }),
        },
      },
    },
    async (request) => {
      const actor = actorOf(request);
      const org = await organisation(database, actor);
      const { members, states } = await database.withTenant(
        org,
        async (tx) => ({
          members: await tx
            .select({
              userId: schema.users.id,
              username: schema.users.username,
              displayName: schema.users.displayName,
              enabled: schema.users.enabled,
              role: schema.userTenants.role,
            })
            .from(schema.userTenants)
            .innerJoin(schema.users, eq(schema.users.id, schema.userTenants.userId))
            .where(eq(schema.userTenants.tenantId, org)),
          states: await tx.select().from(S).where(eq(S.tenantId, org)),
        }),
        actor.userId,
      );
      const view = (r: (typeof states)[number]) => ({
        tool: r.tool,
        subject: r.subject,
        desired: r.desired,
        actual: r.actual,
        status: r.status,
        driftedAt: iso(r.driftedAt),
        driftWas: r.driftWas,
        error: r.error,
        updatedAt: r.updatedAt.toISOString(),
      });
      const people = members
        .sort((a, b) => a.displayName.localeCompare(b.displayName))
        .map((m) => {
          const tools: Record<
            string,
            { status: AccessStatus; subjects: number; error: string | null }
          > = {};
          for (const s of states.filter((r) => r.userId === m.userId)) {
            const t = (tools[s.tool] ??= { status: 'in_sync', subjects: 0, error: null });
            t.subjects++;
            if (RANK[s.status] > RANK[t.status]) t.status = s.status;
            t.error ??= s.error;
          }
          return { ...m, tools };
        });
      return {
        data: {
          tools: await lastRuns(org),
          people,
          drift: states
            .filter((r) => r.driftedAt)
            .sort((a, b) => b.driftedAt!.getTime() - a.driftedAt!.getTime())
            .slice(0, 100)
            .map(view),
        },
        meta: { requestId: request.id },
      };
    },
  );

  app.get(
    '/access/users/:id',
    {
      schema: {
        tags: ['access'],
        security,
        summary:
          "One person's access report: every tool's subjects for them, as the directory wants them and as the tool has them",
        headers: tenantHeaders,
        params,
        response: {
          200: z.object({
            data: accessReportSchema,
            meta: z.object({ requestId: z.string() }),
          }),
        },
      },
    },
    async (request) => {
      const actor = actorOf(request);
      const org = await organisation(database, actor);
      const rows = await database.withTenant(
        org,
        (tx) =>
          tx
            .select()
            .from(S)
            .where(and(eq(S.tenantId, org), eq(S.userId, request.params.id))),
        actor.userId,
      );
      return {
        data: {
          userId: request.params.id,
          subjects: rows.map((r) => ({
            tool: r.tool,
            subject: r.subject,
            desired: r.desired,
            actual: r.actual,
            status: r.status,
            driftedAt: iso(r.driftedAt),
            driftWas: r.driftWas,
            error: r.error,
            updatedAt: r.updatedAt.toISOString(),
          })),
        },
        meta: { requestId: request.id },
      };
    },
  );

  app.post(
    '/access/sync',
    {
      config: { idempotent: true },
      schema: {
        tags: ['access'],
        security,
        summary: 'Sync now: queues a run of every connected tool (or one) for the organisation',
        headers: tenantHeaders,
        body: z.object({ tool: z.string().max(64).optional() }).default({}),
        response: {
          202: z.object({
            data: z.object({ queued: z.number() }),
            meta: z.object({ requestId: z.string() }),
          }),
        },
      },
    },
    async (request, reply) => {
      const actor = actorOf(request);
      const org = await organisation(database, actor);
      const tool = request.body.tool;
      if (tool && !access.tool(tool))
        throw new AppError('ACCESS_TOOL_UNKNOWN', 404, `No tool "${tool}"`, {
          tools: access.list().map((t) => t.id),
        });
      const queued = await access.enqueue({
        trigger: 'manual',
        key: `${actor.userId}:${request.id}`,
        orgs: [org],
        ...(tool ? { tools: [tool] } : {}),
      });
      return reply.status(202).send({ data: { queued }, meta: { requestId: request.id } });
    },
  );
};
