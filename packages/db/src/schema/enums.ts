import { pgEnum } from 'drizzle-orm/pg-core';

export const tenantKind = pgEnum('tenant_kind', ['organization', 'team', 'individual']);
export const memberRole = pgEnum('member_role', ['owner', 'admin', 'member', 'viewer']);
