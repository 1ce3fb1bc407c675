import { boolean, jsonb, pgTable, primaryKey, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { bytea } from './columns.ts';

export const moduleSettings = pgTable(
  'module_settings',
  {
    tenantId: uuid('tenant_id').notNull(),
    module: text('module').notNull(),
    enabled: boolean('enabled').notNull().default(false),
    baseUrl: text('base_url'),
    apiTokenEncrypted: bytea('api_token_encrypted'),
    webhookSecretEncrypted: bytea('webhook_secret_encrypted'),
    options: jsonb('options').$type<Record<string, unknown>>().notNull().default({}),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.module] })],
);
