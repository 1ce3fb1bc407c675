import { envelope } from '@afenda/contracts';
import type { Database } from '@afenda/db';
import { forbidden } from '@afenda/platform/errors';
import { actorOf } from '@afenda/platform/http/tenant-context';
import { security, tenantHeaders } from '@afenda/platform/http/tenant-route';
import type { SecretBox } from '@afenda/platform/secrets';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { ChatwootAccounts } from './accounts.ts';
import { connectChatwoot } from './connect.ts';

const httpUrl = z
  .string()
  .max(500)
  .refine(
    (v) => URL.canParse(v) && /^https?:$/.test(new URL(v).protocol),
    'must be an http(s) URL',
  );

const stepSchema = z.object({
  step: z.enum(['token', 'webhook', 'settings', 'dashboard-app', 'round-trip']),
  ok: z.boolean(),
  detail: z.string(),
});
export const connectResultSchema = z
  .object({ ok: z.boolean(), steps: z.array(stepSchema) })
  .meta({ id: 'ChatwootConnection' });

/** POST /modules/inbox/connect: Chatwoot wired in one step (connect.ts), owners and admins. */
export const connectRoutes: FastifyPluginAsyncZod<{
  database: Database;
  secrets: SecretBox;
  accounts: ChatwootAccounts;
  publicUrl: string;
  timeoutMs: number;
  fetch: typeof fetch;
}> = async (app, deps) => {
  app.post(
    '/modules/inbox/connect',
    {
      schema: {
        tags: ['modules'],
        security,
        summary:
          'Connect Chatwoot in one step: webhook, settings, Dashboard App, a proven round trip',
        description:
          "Given Chatwoot's address, an administrator's API token and the account: checks the " +
          'token, creates the account webhook to this orchestrator with a fresh secret (replacing ' +
          'ours), stores the settings (secrets encrypted), registers the Dashboard App, and posts a ' +
          "private test note whose signed webhook must come back. Each step's outcome is in " +
          '`steps`; 200 whether or not Chatwoot cooperated (`ok`), 4xx for bad input or rights.',
        headers: tenantHeaders,
        body: z
          .object({
            baseUrl: httpUrl,
            apiToken: z.string().min(1).max(500),
            accountId: z.number().int().min(1).max(2_147_483_647),
            dashboardAppUrl: httpUrl.optional(),
          })
          .strict(),
        response: { 200: envelope(connectResultSchema) },
      },
    },
    async (request) => {
      const actor = actorOf(request);
      if (actor.role !== 'owner' && actor.role !== 'admin')
        throw forbidden('Only owners and admins connect tools');
      const result = await connectChatwoot(deps, actor, request.body);
      return { data: result, meta: { requestId: request.id } };
    },
  );
};
