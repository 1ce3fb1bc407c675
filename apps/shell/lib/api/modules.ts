/** Each module's state in one tenant, and (owners and admins) its settings and connection test. */
import { moduleStateSchema } from '@afenda/contracts';
import { z } from 'zod';

import { getData, segment, send, type Call } from './client';

/** A module's settings as the API shows them: secrets only as set or not. */
export const moduleSettingsSchema = z.object({
  module: z.string(),
  enabled: z.boolean(),
  baseUrl: z.string().nullable(),
  apiTokenSet: z.boolean(),
  webhookSecretSet: z.boolean(),
  options: z.record(z.string(), z.unknown()),
  updatedAt: z.string().nullable(),
});
export type ModuleSettings = z.infer<typeof moduleSettingsSchema>;

export const connectionTestSchema = z.object({
  ok: z.boolean(),
  summary: z.string(),
  target: z.string(),
  ms: z.number(),
  checkedAt: z.string(),
});
export type ConnectionTestResult = z.infer<typeof connectionTestSchema>;

export const chatwootConnectionSchema = z.object({
  ok: z.boolean(),
  steps: z.array(
    z.object({
      step: z.enum(['token', 'webhook', 'settings', 'dashboard-app', 'round-trip']),
      ok: z.boolean(),
      detail: z.string(),
    }),
  ),
});
export type ChatwootConnection = z.infer<typeof chatwootConnectionSchema>;

/** A change: only the fields given; a secret null removes it. */
export interface ModuleSettingsChange {
  enabled?: boolean;
  baseUrl?: string | null;
  apiToken?: string | null;
  webhookSecret?: string | null;
  options?: Record<string, unknown>;
}

export function createModulesApi(call: Call) {
  const settings = (module: string) => `/modules/${segment(module)}/settings`;
  return {
    listModuleStates: () => getData(call, '/modules/state', z.array(moduleStateSchema)),
    moduleSettings: (module: string) => getData(call, settings(module), moduleSettingsSchema),
    putModuleSettings: (module: string, change: ModuleSettingsChange) =>
      send(call, 'PUT', settings(module), moduleSettingsSchema, change),
    connectChatwoot: (input: {
      baseUrl: string;
      apiToken: string;
      accountId: number;
      dashboardAppUrl?: string;
    }) =>
      send(call, 'POST', '/modules/inbox/connect', chatwootConnectionSchema, input, {
        idempotent: false,
      }),
    testModuleConnection: (module: string) =>
      send(call, 'POST', `${settings(module)}/test`, connectionTestSchema, undefined, {
        idempotent: false,
      }),
  };
}
