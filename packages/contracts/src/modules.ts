import { z } from 'zod';

/** What a module folder (modules/<id>/manifest.ts) declares about itself. */
export interface ModuleManifest {
  id: string;
  name: string;
  tool: string;
  description: string;
  /** Shell route the module lives under, e.g. `/app/inbox`. */
  path: string;
  /** Position in the Shell's navigation, lowest first (the Shell's own modules use 20 and 30). */
  order: number;
  /** Settings a tenant gives to connect it; secrets are stored encrypted and never returned. */
  settings: { baseUrl: boolean; apiToken: boolean; webhookSecret: boolean };
  /** A lucide icon name (kebab-case) the Shell shows in its navigation. */
  icon?: string;
  /** The Shell pages under `path`, for the navigation and the command palette. */
  routes?: { path: string; title: string }[];
  /** Permission names the module needs of its user, shown by the App registry. */
  permissions?: string[];
  /** The tool's own UI, embedded in the Shell when configured: a path under the base URL. */
  embed?: { path: string; title: string };
  /**
   * Settings the deployment gives for every tenant, by the orchestrator's environment variable
   * that holds them (e.g. video: { baseUrl: 'JITSI_URL' }); a tenant's own setting also counts.
   */
  environment?: Partial<Record<ModuleSettingField, string>>;
  /** Further per-tenant settings the App registry asks for (stored as module_settings.options). */
  options?: ModuleOption[];
  /**
   * The kinds of tenant the module is for (default every kind): in the others it is not listed,
   * e.g. the Inbox (a Chatwoot account belongs to an organisation) in a personal tenant.
   */
  tenantKinds?: ('organization' | 'team' | 'individual')[];
}

/** One of a module's further settings, as the App registry's form shows it. */
export interface ModuleOption {
  key: string;
  label: string;
  kind: 'integer' | 'text';
  required?: boolean;
  hint?: string;
}

export const MODULE_SETTING_FIELDS = ['baseUrl', 'apiToken', 'webhookSecret'] as const;
export type ModuleSettingField = (typeof MODULE_SETTING_FIELDS)[number];

export const moduleSummarySchema = z
  .object({
    id: z.string(),
    name: z.string(),
    tool: z.string(),
    description: z.string(),
    path: z.string(),
  })
  .meta({ id: 'ModuleSummary' });

/** A module as one tenant has it: its manifest and whether it is configured there. */
export const moduleStateSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    tool: z.string(),
    description: z.string(),
    path: z.string(),
    order: z.number().describe("Position in the Shell's navigation, lowest first"),
    icon: z.string().nullable(),
    routes: z.array(z.object({ path: z.string(), title: z.string() })),
    permissions: z.array(z.string()),
    required: z.array(z.enum(MODULE_SETTING_FIELDS)).describe('Settings the module needs'),
    state: z
      .enum(['enabled', 'disabled', 'not_configured'])
      .describe('not_configured: a required setting is missing; disabled: switched off'),
    missing: z.array(z.enum(MODULE_SETTING_FIELDS)).describe('Required settings not set yet'),
    environment: z
      .record(z.string(), z.string())
      .describe('Settings the deployment gives, by environment variable name'),
    baseUrl: z.string().nullable(),
    embedUrl: z.string().nullable().describe("The tool's own UI, when configured"),
    options: z
      .array(
        z.object({
          key: z.string(),
          label: z.string(),
          kind: z.enum(['integer', 'text']),
          required: z.boolean(),
          hint: z.string().nullable(),
        }),
      )
      .describe('Further settings the App registry asks for (module_settings.options)'),
    testable: z
      .boolean()
      .describe('Whether POST /modules/{module}/settings/test can check the connection'),
  })
  .meta({ id: 'ModuleState' });
export type ModuleState = z.infer<typeof moduleStateSchema>;
