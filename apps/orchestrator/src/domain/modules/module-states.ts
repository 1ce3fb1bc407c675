import {
  MODULE_SETTING_FIELDS,
  type ModuleManifest,
  type ModuleSettingField,
  type ModuleState,
} from '@afenda/contracts';
import { schema, type Database } from '@afenda/db';
import { eq } from 'drizzle-orm';

const S = schema.moduleSettings;

/**
 * Every module this build knows, as one tenant has it: enabled, switched off, or not configured
 * with the required settings still missing. Never shows a secret, only whether it is set.
 */
export async function listModuleStates(
  database: Database,
  tenantId: string,
  manifests: ModuleManifest[],
  /** The orchestrator's settings: a manifest's `environment` names which give a module's. */
  environment: object = {},
  /** The modules that can test their connection (ModuleParts.testConnection). */
  testable: ReadonlySet<string> = new Set(),
): Promise<ModuleState[]> {
  const [rows, kind] = await database.withTenant(tenantId, async (tx) => [
    await tx
      .select({
        module: S.module,
        enabled: S.enabled,
        baseUrl: S.baseUrl,
        apiTokenSet: S.apiTokenEncrypted,
        webhookSecretSet: S.webhookSecretEncrypted,
      })
      .from(S)
      .where(eq(S.tenantId, tenantId)),
    (
      await tx
        .select({ kind: schema.tenants.kind })
        .from(schema.tenants)
        .where(eq(schema.tenants.id, tenantId))
    )[0]?.kind,
  ]);
  const byModule = new Map(rows.map((r) => [r.module, r]));
  // A module for other kinds of tenant is not listed here (e.g. the Inbox in a personal tenant).
  const forThisTenant = manifests.filter(
    (m) => !m.tenantKinds || (kind !== undefined && m.tenantKinds.includes(kind)),
  );
  return forThisTenant.map((m) => {
    const row = byModule.get(m.id);
    const fromEnvironment = (f: ModuleSettingField) => {
      const name = m.environment?.[f];
      return name !== undefined && Boolean(Reflect.get(environment, name));
    };
    const present: Record<ModuleSettingField, boolean> = {
      baseUrl: Boolean(row?.baseUrl) || fromEnvironment('baseUrl'),
      apiToken: row?.apiTokenSet != null || fromEnvironment('apiToken'),
      webhookSecret: row?.webhookSecretSet != null || fromEnvironment('webhookSecret'),
    };
    const required = MODULE_SETTING_FIELDS.filter((f) => m.settings[f]);
    const missing = required.filter((f) => !present[f]);
    const state =
      missing.length > 0 ? 'not_configured' : row?.enabled === false ? 'disabled' : 'enabled';
    const baseUrl = row?.baseUrl ?? null;
    return {
      id: m.id,
      name: m.name,
      tool: m.tool,
      description: m.description,
      path: m.path,
      order: m.order,
      icon: m.icon ?? null,
      routes: m.routes ?? [{ path: m.path, title: m.name }],
      permissions: m.permissions ?? [],
      required,
      state,
      missing,
      environment: { ...m.environment },
      baseUrl,
      embedUrl: state === 'enabled' && baseUrl && m.embed ? joinUrl(baseUrl, m.embed.path) : null,
      options: (m.options ?? []).map((o) => ({
        key: o.key,
        label: o.label,
        kind: o.kind,
        required: o.required ?? false,
        hint: o.hint ?? null,
      })),
      testable: testable.has(m.id),
    };
  });
}

function joinUrl(base: string, path: string): string {
  return `${base.replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}`;
}
