import { schema } from '@afenda/db';
import { createTestDatabase, type TestDatabase } from '@afenda/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SecretBox } from '@afenda/platform/secrets';
import { getModuleSettings, putModuleSettings, readModuleSecrets } from './module-settings.ts';

let tdb: TestDatabase;
let acme: string;
let globex: string;
const secrets = new SecretBox(SecretBox.generateKey());

beforeAll(async () => {
  tdb = await createTestDatabase();
  [acme, globex] = await tdb.database.transaction({ sync: true }, async (tx) => {
    const rows = await tx
      .insert(schema.tenants)
      .values([
        { kind: 'organization', slug: 'acme', name: 'Acme' },
        { kind: 'organization', slug: 'globex', name: 'Globex' },
      ])
      .returning();
    return rows.map((r) => r.id) as [string, string];
  });
});
afterAll(async () => tdb?.drop());

describe('module settings', () => {
  it('stores secrets encrypted and only ever shows whether they are set', async () => {
    const view = await putModuleSettings({ database: tdb.database, secrets }, acme, 'inbox', {
      enabled: true,
      baseUrl: 'https://chat.acme.example',
      apiToken: 'cw-token-123',
      webhookSecret: 'whsec-456',
    });
    expect(view).toMatchObject({
      enabled: true,
      baseUrl: 'https://chat.acme.example',
      apiTokenSet: true,
      webhookSecretSet: true,
    });
    expect(JSON.stringify(view)).not.toMatch(/cw-token-123|whsec-456/);

    const raw = await tdb.admin.query(
      'select api_token_encrypted, webhook_secret_encrypted from module_settings',
    );
    const bytes = Buffer.concat([
      raw.rows[0].api_token_encrypted,
      raw.rows[0].webhook_secret_encrypted,
    ]).toString('latin1');
    expect(bytes).not.toContain('cw-token-123');
    expect(bytes).not.toContain('whsec-456');

    expect(await readModuleSecrets({ database: tdb.database, secrets }, acme, 'inbox')).toEqual({
      apiToken: 'cw-token-123',
      webhookSecret: 'whsec-456',
    });
  });

  it('keeps a stored secret when an update leaves it out, and removes it on null', async () => {
    await putModuleSettings({ database: tdb.database, secrets }, acme, 'inbox', {
      baseUrl: 'https://new.acme.example',
    });
    expect(
      (await readModuleSecrets({ database: tdb.database, secrets }, acme, 'inbox')).apiToken,
    ).toBe('cw-token-123');
    const view = await putModuleSettings({ database: tdb.database, secrets }, acme, 'inbox', {
      apiToken: null,
    });
    expect(view.apiTokenSet).toBe(false);
  });

  it('is invisible to another tenant, and a ciphertext copied across tenants does not open', async () => {
    expect(await getModuleSettings(tdb.database, globex, 'inbox')).toBeNull();
    await tdb.admin.query(
      `insert into module_settings (tenant_id, module, webhook_secret_encrypted)
       select $1, module, webhook_secret_encrypted from module_settings where tenant_id = $2`,
      [globex, acme],
    );
    await expect(
      readModuleSecrets({ database: tdb.database, secrets }, globex, 'inbox'),
    ).rejects.toThrow();
  });
});
