import type { Directory } from '@afenda/contracts';
import { actInTenant, schema, type Database, type Tx } from '@afenda/db';
import { and, eq, inArray, isNotNull, notInArray, sql } from 'drizzle-orm';

const { activityTimeline, tenants, userTenants, users } = schema;

export interface ReconcileResult {
  tenantsCreated: number;
  usersCreated: number;
  usersDisabled: number;
  membershipsAdded: number;
  membershipsRemoved: number;
  membershipsChanged: number;
}

/**
 * Makes the mirror equal to the directory Keycloak describes: downward only, removals included.
 * A user missing from the directory is disabled (kept for the history that names them), and
 * every membership the directory no longer grants is deleted.
 */
export async function reconcileDirectory(
  database: Database,
  directory: Directory,
  options: {
    /**
     * Reconcile only these users (Keycloak ids): their rows and memberships, nobody else's. A
     * listed user missing from the directory is disabled. Used at login and for one-user nudges.
     */
    only?: string[];
  } = {},
): Promise<ReconcileResult> {
  const only = options.only ? new Set(options.only) : undefined;
  return database.transaction({ sync: true }, async (tx) => {
    // One reconcile at a time across every replica; a second waits for the first.
    await tx.execute(sql`select pg_advisory_xact_lock(7315020042)`);
    const result: ReconcileResult = {
      tenantsCreated: 0,
      usersCreated: 0,
      usersDisabled: 0,
      membershipsAdded: 0,
      membershipsRemoved: 0,
      membershipsChanged: 0,
    };

    // Users first: individual tenants hang off them.
    const userIds = new Map<string, string>();
    const wasEnabled = new Set(
      (
        await tx
          .select({ keycloakId: users.keycloakId })
          .from(users)
          .where(
            and(eq(users.enabled, true), only ? inArray(users.keycloakId, [...only]) : undefined),
          )
      ).map((r) => r.keycloakId),
    );
    const turnedOff: string[] = [];
    for (const u of directory.users) {
      if (!u.enabled && wasEnabled.has(u.keycloakId)) turnedOff.push(u.keycloakId);
      const [row] = await tx
        .insert(users)
        .values({
          keycloakId: u.keycloakId,
          username: u.username,
          email: u.email,
          displayName: u.displayName,
          enabled: u.enabled,
        })
        .onConflictDoUpdate({
          target: users.keycloakId,
          set: {
            username: u.username,
            email: u.email,
            displayName: u.displayName,
            enabled: u.enabled,
            updatedAt: new Date(),
          },
        })
        .returning({
          id: users.id,
          personalTenantId: users.personalTenantId,
          createdAt: users.createdAt,
          updatedAt: users.updatedAt,
        });
      if (!row) throw new Error(`upsert of user ${u.username} returned nothing`);
      if (row.createdAt.getTime() === row.updatedAt.getTime()) result.usersCreated += 1;
      userIds.set(u.keycloakId, row.id);
    }
    const known = [...userIds.keys()];
    // Full reconcile: everyone Keycloak no longer lists. Scoped: the listed users it no longer has.
    const missing = only ? [...only].filter((id) => !userIds.has(id)) : undefined;
    const disabled =
      missing?.length === 0
        ? []
        : await tx
            .update(users)
            .set({ enabled: false, updatedAt: new Date() })
            .where(
              and(
                eq(users.enabled, true),
                missing
                  ? inArray(users.keycloakId, missing)
                  : known.length
                    ? notInArray(users.keycloakId, known)
                    : undefined,
              ),
            )
            .returning({ id: users.id, keycloakId: users.keycloakId });
    result.usersDisabled = disabled.length + turnedOff.length;
    // Offboarding: a disabled user's Shell sessions (kept in PostgreSQL) end now.
    const offboarded = [...turnedOff, ...disabled.map((d) => d.keycloakId)];
    if (offboarded.length)
      await tx.execute(
        sql`delete from shell_sessions where subject in (${sql.join(
          offboarded.map((k) => sql`${k}`),
          sql`, `,
        )})`,
      );

    // Tenants: groups by path, individual tenants through users.personal_tenant_id.
    const tenantIds = new Map<string, string>();
    const existingGroups = await tx
      .select({ id: tenants.id, path: tenants.keycloakGroupPath })
      .from(tenants)
      .where(isNotNull(tenants.keycloakGroupPath));
    const byPath = new Map(existingGroups.map((t) => [t.path as string, t.id]));
    for (const t of directory.tenants) {
      if (t.kind === 'individual') {
        const keycloakId = t.key.slice('user:'.length);
        const userId = userIds.get(keycloakId);
        if (!userId) continue;
        const [user] = await tx
          .select({ personal: users.personalTenantId })
          .from(users)
          .where(eq(users.id, userId));
        let id = user?.personal ?? null;
        if (id) {
          await tx
            .update(tenants)
            .set({ name: t.name, updatedAt: new Date() })
            .where(eq(tenants.id, id));
        } else {
          const [created] = await tx
            .insert(tenants)
            .values({ kind: 'individual', slug: t.slug, name: t.name })
            .onConflictDoNothing()
            .returning({ id: tenants.id });
          const row =
            created ??
            // A slug collision with an older individual tenant: suffix with the user's id.
            (
              await tx
                .insert(tenants)
                .values({
                  kind: 'individual',
                  slug: `${t.slug.slice(0, 50)}-${userId.slice(0, 8)}`,
                  name: t.name,
                })
                .returning({ id: tenants.id })
            )[0];
          if (!row) throw new Error(`could not create the individual tenant of ${keycloakId}`);
          id = row.id;
          result.tenantsCreated += 1;
          await tx.update(users).set({ personalTenantId: id }).where(eq(users.id, userId));
        }
        tenantIds.set(t.key, id);
        continue;
      }
      const parentId = t.parentKey ? (tenantIds.get(t.parentKey) ?? null) : null;
      const existing = byPath.get(t.key);
      if (existing) {
        await tx
          .update(tenants)
          .set({
            name: t.name,
            slug: t.slug,
            parentId,
            keycloakGroupId: t.groupId,
            updatedAt: new Date(),
          })
          .where(eq(tenants.id, existing));
        tenantIds.set(t.key, existing);
      } else {
        const [row] = await tx
          .insert(tenants)
          .values({
            kind: t.kind,
            slug: t.slug,
            name: t.name,
            parentId,
            keycloakGroupId: t.groupId,
            keycloakGroupPath: t.groupPath,
          })
          .returning({ id: tenants.id });
        if (!row) throw new Error(`could not create tenant ${t.key}`);
        tenantIds.set(t.key, row.id);
        result.tenantsCreated += 1;
      }
    }

    // Memberships: the directory's set, exactly.
    const desired = new Map<
      string,
      {
        tenantId: string;
        userId: string;
        role: (typeof directory.memberships)[number]['role'];
        canApprove: boolean;
      }
    >();
    for (const m of directory.memberships) {
      const tenantId = tenantIds.get(m.tenantKey);
      const userId = userIds.get(m.keycloakId);
      if (!tenantId || !userId) continue;
      desired.set(`${tenantId}:${userId}`, {
        tenantId,
        userId,
        role: m.role,
        canApprove: m.canApprove,
      });
    }
    // What changed, for the timeline of each tenant concerned.
    type Change = {
      tenantId: string;
      userId: string;
      verb: 'added' | 'removed' | 'changed';
      role: string;
      canApprove: boolean;
    };
    const changes: Change[] = [];
    let current = await tx.select().from(userTenants);
    if (only) {
      const scoped = await tx
        .select({ id: users.id })
        .from(users)
        .where(inArray(users.keycloakId, [...only]));
      const ids = new Set(scoped.map((u) => u.id));
      current = current.filter((row) => ids.has(row.userId));
    }
    for (const row of current) {
      const key = `${row.tenantId}:${row.userId}`;
      const want = desired.get(key);
      if (!want) {
        await tx
          .delete(userTenants)
          .where(and(eq(userTenants.tenantId, row.tenantId), eq(userTenants.userId, row.userId)));
        result.membershipsRemoved += 1;
        changes.push({
          tenantId: row.tenantId,
          userId: row.userId,
          verb: 'removed',
          role: row.role,
          canApprove: row.canApprove,
        });
      } else {
        if (want.role !== row.role || want.canApprove !== row.canApprove) {
          await tx
            .update(userTenants)
            .set({ role: want.role, canApprove: want.canApprove })
            .where(and(eq(userTenants.tenantId, row.tenantId), eq(userTenants.userId, row.userId)));
          result.membershipsChanged += 1;
          changes.push({
            tenantId: row.tenantId,
            userId: row.userId,
            verb: 'changed',
            role: want.role,
            canApprove: want.canApprove,
          });
        }
        desired.delete(key);
      }
    }
    if (desired.size > 0) {
      await tx.insert(userTenants).values([...desired.values()]);
      result.membershipsAdded = desired.size;
      for (const m of desired.values()) changes.push({ ...m, verb: 'added' });
    }
    await recordMembershipChanges(tx, changes);
    return result;
  });
}

const VERBS = { added: 'joined', removed: 'left', changed: 'changed role in' } as const;

/**
 * Puts each membership change on the timeline of the organisation or team it concerns, in the
 * reconcile's transaction (so the entries exist exactly when the changes do). Individual tenants
 * are skipped: a user's own tenant has nothing to tell them.
 */
async function recordMembershipChanges(
  tx: Tx,
  changes: {
    tenantId: string;
    userId: string;
    verb: keyof typeof VERBS;
    role: string;
    canApprove: boolean;
  }[],
): Promise<void> {
  if (changes.length === 0) return;
  const tenantRows = await tx
    .select({ id: tenants.id, name: tenants.name, kind: tenants.kind })
    .from(tenants)
    .where(inArray(tenants.id, [...new Set(changes.map((c) => c.tenantId))]));
  const userRows = await tx
    .select({ id: users.id, name: users.displayName })
    .from(users)
    .where(inArray(users.id, [...new Set(changes.map((c) => c.userId))]));
  const tenant = new Map(tenantRows.map((t) => [t.id, t]));
  const name = new Map(userRows.map((u) => [u.id, u.name]));
  for (const c of changes) {
    const t = tenant.get(c.tenantId);
    if (!t || t.kind === 'individual') continue;
    // The timeline is tenant-owned: write each entry with that tenant set, as the policy requires.
    await actInTenant(tx, c.tenantId);
    await tx.insert(activityTimeline).values({
      tenantId: c.tenantId,
      actorId: null,
      source: 'keycloak',
      verb: c.verb,
      type: `membership.${c.verb}`,
      subjectType: 'membership',
      subjectId: c.userId,
      title: `${name.get(c.userId) ?? 'A user'} ${VERBS[c.verb]} ${t.name}`,
      description:
        c.verb === 'removed'
          ? ''
          : `Role: ${c.role}${c.canApprove ? ', may approve' : ''}. Synced from Keycloak.`,
      data: { userId: c.userId, role: c.role, canApprove: c.canApprove },
    });
  }
  await actInTenant(tx, '');
}
