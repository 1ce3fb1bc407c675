import { schema, type Database } from '@afenda/db';
import { recordActivity } from '@afenda/platform/activity/record-activity';
import { and, eq } from 'drizzle-orm';

/** The tenant's members the directory still lets in (enabled users), read in its context. */
export async function activeMembers(database: Database, tenantId: string): Promise<Set<string>> {
  const rows = await database.withTenant(tenantId, (tx) =>
    tx
      .select({ userId: schema.userTenants.userId })
      .from(schema.userTenants)
      .innerJoin(schema.users, eq(schema.users.id, schema.userTenants.userId))
      .where(and(eq(schema.userTenants.tenantId, tenantId), eq(schema.users.enabled, true))),
  );
  return new Set(rows.map((r) => r.userId));
}

/** One timeline entry per board and person whose live session was closed. */
export async function recordRevoked(
  database: Database,
  closed: Array<{ tenantId: string; boardId: string; userId: string }>,
): Promise<void> {
  for (const c of closed)
    await database.withTenant(c.tenantId, (tx) =>
      recordActivity(tx, {
        tenantId: c.tenantId,
        actorId: null,
        source: 'keycloak',
        subjectType: 'whiteboard',
        subjectId: c.boardId,
        verb: 'access-revoked',
        title: 'A live editing session was closed: its editor no longer has access (Keycloak)',
        data: { userId: c.userId },
      }),
    );
}
