import { readinessSchema, type Readiness } from '@afenda/contracts';
import type { Database } from '@afenda/db';
import { migrationStatus } from '@afenda/db';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';

/** Liveness (the process answers) and readiness (database reachable, schema up to date). */
export const healthRoutes: FastifyPluginAsyncZod<{
  database: Database;
  /** What the embedded PostgreSQL's supervisor says is wrong (undefined: nothing, or external). */
  databaseProblem?: () => string | undefined;
}> = async (app, { database, databaseProblem }) => {
  app.get(
    '/healthz',
    {
      config: { rateLimit: false },
      schema: {
        tags: ['operations'],
        summary: 'The process is up',
        response: { 200: z.object({ status: z.literal('ok') }) },
      },
    },
    async () => ({ status: 'ok' as const }),
  );

  app.get(
    '/readyz',
    {
      config: { rateLimit: false },
      schema: {
        tags: ['operations'],
        summary: 'The database is reachable and every migration is applied',
        response: { 200: readinessSchema, 503: readinessSchema },
      },
    },
    async (_request, reply) => {
      const result: Readiness = {
        status: 'ready',
        checks: { database: { status: 'ok' }, migrations: { status: 'ok' } },
      };
      try {
        result.checks.database.latencyMs = Math.round((await database.ping()) * 100) / 100;
        const status = await migrationStatus(database.pool);
        result.checks.migrations = {
          status: status.pending.length === 0 ? 'ok' : 'fail',
          applied: status.applied,
          pending: status.pending.length,
          ...(status.pending.length ? { error: `pending: ${status.pending.join(', ')}` } : {}),
        };
      } catch (err) {
        const problem = databaseProblem?.();
        const message = problem ? `${problem} (${(err as Error).message})` : (err as Error).message;
        if (result.checks.database.latencyMs === undefined) {
          result.checks.database = { status: 'fail', error: message };
          result.checks.migrations = { status: 'fail', error: 'database unreachable' };
        } else {
          result.checks.migrations = { status: 'fail', error: message };
        }
      }
      if (result.checks.database.status === 'fail' || result.checks.migrations.status === 'fail') {
        result.status = 'not_ready';
        return reply.status(503).send(result);
      }
      return result;
    },
  );
};
