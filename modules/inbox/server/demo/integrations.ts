/**
 * Demo data for the integrations (development only, with the realm export's demo directory):
 * Acme receives Chatwoot account 1 and Globex account 2, each with a webhook secret generated
 * here once and kept beside the data (DATA_DIR/demo-chatwoot.json, mode 0600), which is what
 * `npm run demo:chatwoot` signs its deliveries with. Settings already there are left alone.
 */
import type { Database } from '@afenda/db';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import type { Logger } from 'pino';
import { getModuleSettings, putModuleSettings } from '@afenda/platform/module-settings';
import type { SecretBox } from '@afenda/platform/secrets';

export interface DemoChatwoot {
  accounts: { org: string; accountId: number; secret: string }[];
}

const DEMO = [
  { org: 'acme', accountId: 1, escalationRequester: 'alice' },
  { org: 'globex', accountId: 2, escalationRequester: 'grace' },
];

export const demoChatwootFile = (dataDir: string) => path.join(dataDir, 'demo-chatwoot.json');

export async function seedDemoIntegrations(deps: {
  database: Database;
  secrets: SecretBox;
  dataDir: string;
  logger: Logger;
}): Promise<void> {
  const file = demoChatwootFile(deps.dataDir);
  let demo: DemoChatwoot;
  if (existsSync(file)) {
    demo = JSON.parse(await readFile(file, 'utf8')) as DemoChatwoot;
  } else {
    demo = {
      accounts: DEMO.map((d) => ({ ...d, secret: randomBytes(18).toString('base64url') })),
    };
    await mkdir(deps.dataDir, { recursive: true });
    await writeFile(file, `${JSON.stringify(demo, null, 2)}\n`, { mode: 0o600 });
  }
  const orgs = await deps.database.transaction({ sync: true }, async (tx) => {
    const result = await tx.execute<{ id: string; slug: string }>(
      sql`select id, slug from tenants where kind = 'organization'`,
    );
    return new Map(result.rows.map((r) => [r.slug, r.id]));
  });
  for (const d of DEMO) {
    const tenantId = orgs.get(d.org);
    const secret = demo.accounts.find((a) => a.org === d.org)?.secret;
    if (!tenantId || !secret) continue;
    if (await getModuleSettings(deps.database, tenantId, 'inbox')) continue;
    await putModuleSettings(deps, tenantId, 'inbox', {
      enabled: true,
      webhookSecret: secret,
      options: { accountId: d.accountId, escalationRequester: d.escalationRequester },
    });
    deps.logger.info(
      { org: d.org, chatwootAccount: d.accountId },
      'demo: Chatwoot account mapped (npm run demo:chatwoot posts signed deliveries)',
    );
  }
}
