import { envelope, type ModuleManifest } from '@afenda/contracts';
import type { Database } from '@afenda/db';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { getModuleSettings, putModuleSettings } from '@afenda/platform/module-settings';
import type { ConnectionTest } from '@afenda/platform/module';
import { forbidden, notFound } from '@afenda/platform/errors';
import { actorOf } from '@afenda/platform/http/tenant-context';
import type { SecretBox } from '@afenda/platform/secrets';
import { security, tenantHeaders } from '@afenda/platform/http/tenant-route';

const viewSchema = z
  .object({
    module: z.string(),
    enabled: z.boolean(),
    baseUrl: z.string().nullable(),
    apiTokenSet: z.boolean(),
    webhookSecretSet: z.boolean(),
    options: z.record(z.string(), z.unknown()),
    updatedAt: z.string().nullable(),
  })
  .meta({ id: 'ModuleSettings' });
const testSchema = z
  .object({
    ok: z.boolean(),
    summary: z.string().describe('What the tool answered, in one sentence'),
    target: z.string().describe('The address called'),
    ms: z.number(),
    checkedAt: z.string(),
  })
  .meta({ id: 'ConnectionTest' });
const httpUrl = z
  .string()
  .max(500)
  .refine(
    (v) => URL.canParse(v) && /^https?:$/.test(new URL(v).protocol),
    'must be an http(s) URL',
  );
const putSchema = z
  .object({
    enabled: z.boolean().optional(),
    baseUrl: httpUrl.nullable().optional(),
    apiToken: z.string().min(1).max(500).nullable().optional().describe('null removes it'),
    webhookSecret: z.string().min(8).max(500).nullable().optional().describe('null removes it'),
    options: z
      .record(z.string(), z.unknown())
      .optional()
      .describe('Module options, e.g. inbox: { accountId, escalationRequester }'),
  })
  .strict();

/** A module's settings for the active organisation: owners and admins only; secrets never shown. */
export const moduleSettingsRoutes: FastifyPluginAsyncZod<{
  database: Database;
  secrets: SecretBox;
  modules: ModuleManifest[];
  /** The module's own check of a change (e.g. an account another organisation already claims). */
  check?: (tenantId: string, module: string, options?: Record<string, unknown>) => Promise<void>;
  onChange?: (tenantId: string, module: string) => void;
  /** The module's connection test (ModuleParts.testConnection); undefined: it has none. */
  test?: (tenantId: string, module: string) => Promise<ConnectionTest> | undefined;
}> = async (app, { database, secrets, modules, check, onChange, test }) => {
  const adminOf = (request: Parameters<typeof actorOf>[0], module: string) => {
    const actor = actorOf(request);
    if (actor.role !== 'owner' && actor.role !== 'admin')
      throw forbidden('Only owners and admins configure modules');
    if (!modules.some((m) => m.id === module)) throw notFound('Module');
    return actor;
  };
  const params = z.object({ module: z.string().regex(/^[a-z][a-z0-9-]{0,31}$/) });

  app.get(
    '/modules/:module/settings',
    {
      schema: {
        tags: ['modules'],
        security,
        summary: "A module's settings for the organisation (secrets only as set / not set)",
        headers: tenantHeaders,
        params,
        response: { 200: envelope(viewSchema) },
      },
    },
    async (request) => {
      const actor = adminOf(request, request.params.module);
      const view = await getModuleSettings(database, actor.tenantId, request.params.module);
      return {
        data: view ?? {
          module: request.params.module,
          enabled: false,
          baseUrl: null,
          apiTokenSet: false,
          webhookSecretSet: false,
          options: {},
          updatedAt: null,
        },
        meta: { requestId: request.id },
      };
    },
  );

  app.put(
    '/modules/:module/settings',
    {
      schema: {
        tags: ['modules'],
        security,
        summary: "Change a module's settings (only the fields given)",
        headers: tenantHeaders,
        params,
        body: putSchema,
        response: { 200: envelope(viewSchema) },
      },
    },
    async (request) => {
      const actor = adminOf(request, request.params.module);
      await check?.(actor.tenantId, request.params.module, request.body.options);
      const view = await putModuleSettings(
        { database, secrets },
        actor.tenantId,
        request.params.module,
        request.body,
        {
          actorId: actor.userId,
          tool: modules.find((m) => m.id === request.params.module)?.tool ?? request.params.module,
        },
      );
      onChange?.(actor.tenantId, request.params.module);
      return { data: view, meta: { requestId: request.id } };
    },
  );

  app.post(
    '/modules/:module/settings/test',
    {
      schema: {
        tags: ['modules'],
        security,
        summary: "Test the connection to the module's tool with the organisation's settings",
        description:
          'One real call to the tool with the stored settings; the answer says what the tool said ' +
          '(200 either way: `ok` false when the tool refused or did not answer). 404 when the ' +
          'module has no connection to test.',
        headers: tenantHeaders,
        params,
        response: { 200: envelope(testSchema) },
      },
    },
    async (request) => {
      const actor = adminOf(request, request.params.module);
      const started = performance.now();
      const result = await test?.(actor.tenantId, request.params.module);
      if (!result) throw notFound('Connection test', { module: request.params.module });
      return {
        data: {
          ...result,
          ms: Math.round(performance.now() - started),
          checkedAt: new Date().toISOString(),
        },
        meta: { requestId: request.id },
      };
    },
  );
};
