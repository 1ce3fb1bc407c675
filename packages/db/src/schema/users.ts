import { boolean, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { tenants } from './tenants.ts';

export const users = pgTable('users', {
  id: uuid('id').primaryKey().defaultRandom(),
  keycloakId: text('keycloak_id').notNull().unique(),
  username: text('username').notNull(),
  email: text('email'),
  displayName: text('display_name').notNull(),
  enabled: boolean('enabled').notNull().default(true),
  personalTenantId: uuid('personal_tenant_id').references(() => tenants.id),
  loginSyncedAt: timestamp('login_synced_at', { withTimezone: true }),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});
