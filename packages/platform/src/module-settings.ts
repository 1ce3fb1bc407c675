import type { Database } from '@afenda/db';
import { schema } from '@afenda/db';
import { and, eq } from 'drizzle-orm';
import type { SecretBox } from '@afenda/platform/secrets';
import { recordActivity } from './activity/record-activity.ts';

const { moduleSettings } = schema;

/** What the API may show of a module's settings: secrets only as "set" or "not set". */
export interface ModuleSettingsView {
  module: string;
  enabled: boolean;
  baseUrl: string | null;
  apiTokenSet: boolean;
  webhookSecretSet: boolean;
  options: Record<string, unknown>;
  updatedAt: string;
}

export interface ModuleSettingsInput {
  enabled?: boolean;
  baseUrl?: string | null;
  /** A new token; undefined keeps the stored one, null removes it. */
  apiToken?: string | null;
  webhookSecret?: string | null;
  options?: Record<string, unknown>;
}

const context = (tenantId: string, module: string, field: string) =>
  `${tenantId}/${module}/${field}`;

type Row = typeof moduleSettings.$inferSelect;
const view = (row: Row): ModuleSettingsView => ({
  module: row.module,
  enabled: row.enabled,
  baseUrl: row.baseUrl,
  apiTokenSet: row.apiTokenEncrypted !== null,
  webhookSecretSet: row.webhookSecretEncrypted !== null,
  options: row.options,
  updatedAt: row.updatedAt.toISOString(),
});

export async function putModuleSettings(
  deps: { database: Database; secrets: SecretBox },
  tenantId: string,
  module: string,
  input: ModuleSettingsInput,
  /** Who changed them, and the tool's name: the change goes on the timeline (no values of secrets). */
  change?: { actorId: string | null; tool: string },
): Promise<ModuleSettingsView> {
  const seal = (field: string, value: string | null | undefined) =>
    value === undefined
      ? undefined
      : value === null
        ? null
        : deps.secrets.seal(value, context(tenantId, module, field));
  const apiToken = seal('api_token', input.apiToken);
  const webhookSecret = seal('webhook_secret', input.webhookSecret);
  const set = {
    ...(input.enabled !== undefined ? { enabled: input.enabled } : {}),
    ...(input.baseUrl !== undefined ? { baseUrl: input.baseUrl } : {}),
    ...(apiToken !== undefined ? { apiTokenEncrypted: apiToken } : {}),
    ...(webhookSecret !== undefined ? { webhookSecretEncrypted: webhookSecret } : {}),
    ...(input.options !== undefined ? { options: input.options } : {}),
    updatedAt: new Date(),
  };
  const [row] = await deps.database.withTenant(tenantId, async (tx) => {
    const rows = await tx
      .insert(moduleSettings)
      .values({ tenantId, module, ...set })
      .onConflictDoUpdate({ target: [moduleSettings.tenantId, moduleSettings.module], set })
      .returning();
    if (change) {
      const changed = describeChange(input);
      await recordActivity(tx, {
        tenantId,
        actorId: change.actorId,
        source: 'shell',
        subjectType: 'module',
        subjectId: module,
        verb: 'configured',
        title: `${change.tool} settings changed: ${changed.join(', ') || 'nothing'}`,
        data: { module, fields: changed },
      });
    }
    return rows;
  });
  if (!row) throw new Error('upsert returned no row');
  return view(row);
}

export async function getModuleSettings(
  database: Database,
  tenantId: string,
  module: string,
): Promise<ModuleSettingsView | null> {
  const [row] = await database.withTenant(tenantId, (tx) =>
    tx
      .select()
      .from(moduleSettings)
      .where(and(eq(moduleSettings.tenantId, tenantId), eq(moduleSettings.module, module))),
  );
  return row ? view(row) : null;
}

/** For connectors only (server side): the decrypted secrets of one module of one tenant. */
export async function readModuleSecrets(
  deps: { database: Database; secrets: SecretBox },
  tenantId: string,
  module: string,
): Promise<{ apiToken: string | null; webhookSecret: string | null }> {
  const [row] = await deps.database.withTenant(tenantId, (tx) =>
    tx
      .select({
        apiToken: moduleSettings.apiTokenEncrypted,
        webhookSecret: moduleSettings.webhookSecretEncrypted,
      })
      .from(moduleSettings)
      .where(and(eq(moduleSettings.tenantId, tenantId), eq(moduleSettings.module, module))),
  );
  return {
    apiToken: row?.apiToken
      ? deps.secrets.open(row.apiToken, context(tenantId, module, 'api_token'))
      : null,
    webhookSecret: row?.webhookSecret
      ? deps.secrets.open(row.webhookSecret, context(tenantId, module, 'webhook_secret'))
      : null,
  };
}

/** What a change touched, in words, secrets only as set or removed. */
export function describeChange(input: ModuleSettingsInput): string[] {
  const out: string[] = [];
  if (input.enabled !== undefined) out.push(input.enabled ? 'switched on' : 'switched off');
  if (input.baseUrl !== undefined) out.push(input.baseUrl === null ? 'address removed' : 'address');
  for (const [key, label] of [
    ['apiToken', 'API token'],
    ['webhookSecret', 'webhook secret'],
  ] as const) {
    if (input[key] !== undefined)
      out.push(input[key] === null ? `${label} removed` : `${label} set`);
  }
  if (input.options !== undefined)
    out.push(...Object.keys(input.options).map((k) => `option ${k}`));
  return out;
}
