import { type AnyPgColumn, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { tenantKind } from './enums.ts';

export const tenants = pgTable('tenants', {
  id: uuid('id').primaryKey().defaultRandom(),
  kind: tenantKind('kind').notNull(),
  parentId: uuid('parent_id').references((): AnyPgColumn => tenants.id),
  slug: text('slug').notNull(),
  name: text('name').notNull(),
  keycloakGroupId: text('keycloak_group_id'),
  keycloakGroupPath: text('keycloak_group_path'),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});
