import type { Tenant, TenantContact, TenantNode } from '@afenda/contracts';
import { schema, type Database } from '@afenda/db';
import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import { tenantNotFound } from '@afenda/platform/errors';

const { tenants, userTenants, activeTenants, users } = schema;

/** Every tenant the user belongs to, with their role there. */
export async function listMyTenants(database: Database, userId: string): Promise<Tenant[]> {
  const rows = await database.transaction({ userId }, (tx) =>
    tx
      .select({
        id: tenants.id,
        kind: tenants.kind,
        slug: tenants.slug,
        name: tenants.name,
        parentId: tenants.parentId,
        role: userTenants.role,
        canApprove: userTenants.canApprove,
      })
      .from(userTenants)
      .innerJoin(tenants, eq(tenants.id, userTenants.tenantId))
      .where(eq(userTenants.userId, userId)),
  );
  const order = { individual: 0, organization: 1, team: 2 } as const;
  return rows.sort((a, b) => order[a.kind] - order[b.kind] || a.name.localeCompare(b.name));
}

/** individual → organisations → their teams. A team whose organisation the user isn't in stands alone. */
export function asTree(list: Tenant[]): TenantNode[] {
  const nodes = new Map(list.map((t) => [t.id, { ...t, children: [] as TenantNode[] }]));
  const roots: TenantNode[] = [];
  for (const node of nodes.values()) {
    const parent = node.parentId ? nodes.get(node.parentId) : undefined;
    if (parent) parent.children.push(node);
    else roots.push(node);
  }
  return roots;
}

/** The tenant, if the user belongs to it; otherwise the same 404 as a tenant that doesn't exist. */
export async function getMyTenant(
  database: Database,
  userId: string,
  tenantId: string,
): Promise<Tenant> {
  const found = (await listMyTenants(database, userId)).find((t) => t.id === tenantId);
  if (!found) throw tenantNotFound();
  return found;
}

export async function activeTenantId(
  database: Database,
  userId: string,
  sessionId: string | null,
  /** The user's tenants, when the caller has just listed them. */
  listed?: Tenant[],
): Promise<string | null> {
  const mine = listed ?? (await listMyTenants(database, userId));
  if (sessionId) {
    const [row] = await database.transaction({ userId }, (tx) =>
      tx
        .select({ tenantId: activeTenants.tenantId })
        .from(activeTenants)
        .where(and(eq(activeTenants.userId, userId), eq(activeTenants.sessionId, sessionId))),
    );
    // A tenant switched to earlier but since lost (membership removed) falls back to the default.
    if (row && mine.some((t) => t.id === row.tenantId)) return row.tenantId;
  }
  return (mine.find((t) => t.kind === 'organization') ?? mine[0])?.id ?? null;
}

export async function switchTenant(
  database: Database,
  userId: string,
  sessionId: string | null,
  tenantId: string,
): Promise<Tenant> {
  const tenant = await getMyTenant(database, userId, tenantId);
  await database.transaction({ userId }, (tx) =>
    tx
      .insert(activeTenants)
      .values({ userId, sessionId: sessionId ?? 'default', tenantId })
      .onConflictDoUpdate({
        target: [activeTenants.userId, activeTenants.sessionId],
        set: { tenantId, updatedAt: new Date() },
      }),
  );
  return tenant;
}

export async function getMe(database: Database, userId: string) {
  const [row] = await database.transaction({ userId }, (tx) =>
    tx.select().from(users).where(eq(users.id, userId)),
  );
  if (!row) throw tenantNotFound();
  return row;
}

/**
 * Whom a member asks about the tenant's setup: the owners and admins of its organisation (of the
 * team's organisation for a team), read in that organisation's context. None for a personal
 * tenant (its one member is its owner).
 */
export async function listTenantContacts(
  database: Database,
  userId: string,
  tenantId: string,
): Promise<TenantContact[]> {
  const mine = await listMyTenants(database, userId);
  const tenant = mine.find((t) => t.id === tenantId);
  if (!tenant) throw tenantNotFound();
  if (tenant.kind === 'individual') return [];
  const org = tenant.kind === 'team' ? tenant.parentId : tenant.id;
  if (!org || !mine.some((t) => t.id === org)) return [];
  const rows = await database.withTenant(
    org,
    (tx) =>
      tx
        .select({ name: users.displayName, role: userTenants.role })
        .from(userTenants)
        .innerJoin(users, eq(users.id, userTenants.userId))
        .where(
          and(
            eq(userTenants.tenantId, org),
            inArray(userTenants.role, ['owner', 'admin']),
            eq(users.enabled, true),
          ),
        )
        .orderBy(
          // Owners first, then admins; by name.
          sql`case when ${userTenants.role} = 'owner' then 0 else 1 end`,
          asc(users.displayName),
        ),
    userId,
  );
  return rows.map((r) => ({ name: r.name, role: r.role as TenantContact['role'] }));
}
