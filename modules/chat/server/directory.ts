/**
 * What Matrix should look like, from the directory (Keycloak's groups as the directory sync
 * keeps them): per organisation a space and an organisation-wide room with every member, and a
 * room per team with its members; each person at the power level of their role there. Disabled
 * users are in no room.
 */
import { schema, type Database } from '@afenda/db';
import { and, eq, inArray } from 'drizzle-orm';
import type { Role } from './matrix/rooms.ts';
import type { ChatRoomKind } from './schema.ts';
import { userIdOf } from './setup.ts';

export interface Person {
  userId: string;
  username: string;
  displayName: string;
  mxid: string;
}

export interface DesiredRoom {
  tenantId: string;
  kind: Exclude<ChatRoomKind, 'direct'>;
  orgTenantId: string;
  name: string;
  topic: string;
  /** mxid → role */
  members: Map<string, Role>;
}

export interface OrgPlan {
  orgTenantId: string;
  name: string;
  rooms: DesiredRoom[];
  people: Map<string, Person>;
  /** Members disabled in Keycloak: in no room, their Matrix account deactivated. */
  disabled: Map<string, Person>;
}

const T = schema.tenants;
const UT = schema.userTenants;
const U = schema.users;

/**
 * Reads the organisations (all, or one) with their teams and members. A directory read across
 * tenants, in the sync context the directory sync itself writes in; read-only.
 */
export async function readDirectory(
  database: Database,
  serverName: string,
  only?: string,
): Promise<OrgPlan[]> {
  return database.transaction({ sync: true }, async (tx) => {
    const orgs = await tx
      .select({ id: T.id, name: T.name })
      .from(T)
      .where(and(eq(T.kind, 'organization'), only ? eq(T.id, only) : undefined));
    if (!orgs.length) return [];
    const teams = await tx
      .select({ id: T.id, name: T.name, parentId: T.parentId })
      .from(T)
      .where(
        and(
          eq(T.kind, 'team'),
          inArray(
            T.parentId,
            orgs.map((o) => o.id),
          ),
        ),
      );
    const tenantIds = [...orgs.map((o) => o.id), ...teams.map((t) => t.id)];
    const rows = await tx
      .select({
        tenantId: UT.tenantId,
        role: UT.role,
        userId: U.id,
        username: U.username,
        displayName: U.displayName,
        enabled: U.enabled,
      })
      .from(UT)
      .innerJoin(U, eq(U.id, UT.userId))
      .where(inArray(UT.tenantId, tenantIds));
    const byTenant = new Map<string, typeof rows>();
    const disabledIn = new Map<string, typeof rows>();
    for (const r of rows) {
      if (!r.enabled) {
        disabledIn.set(r.tenantId, [...(disabledIn.get(r.tenantId) ?? []), r]);
        continue;
      }
      byTenant.set(r.tenantId, [...(byTenant.get(r.tenantId) ?? []), r]);
    }
    return orgs.map((org) => {
      const people = new Map<string, Person>();
      const membersOf = (tenantId: string) => {
        const m = new Map<string, Role>();
        for (const r of byTenant.get(tenantId) ?? []) {
          const mxid = userIdOf(r.username, serverName);
          people.set(mxid, {
            userId: r.userId,
            username: r.username,
            displayName: r.displayName,
            mxid,
          });
          m.set(mxid, r.role);
        }
        return m;
      };
      const orgMembers = membersOf(org.id);
      const rooms: DesiredRoom[] = [
        {
          tenantId: org.id,
          kind: 'space',
          orgTenantId: org.id,
          name: org.name,
          topic: `${org.name}'s rooms, kept in step with Keycloak by the workspace`,
          members: orgMembers,
        },
        {
          tenantId: org.id,
          kind: 'org',
          orgTenantId: org.id,
          name: `${org.name} — everyone`,
          topic: `Everyone in ${org.name}. Membership and roles come from Keycloak.`,
          members: orgMembers,
        },
        ...teams
          .filter((t) => t.parentId === org.id)
          .sort((a, b) => a.name.localeCompare(b.name))
          .map((t): DesiredRoom => ({
            tenantId: t.id,
            kind: 'team',
            orgTenantId: org.id,
            name: `${org.name} — ${t.name}`,
            topic: `The ${t.name} team. Membership and roles come from Keycloak.`,
            members: membersOf(t.id),
          })),
      ];
      const disabled = new Map<string, Person>();
      for (const r of disabledIn.get(org.id) ?? []) {
        const mxid = userIdOf(r.username, serverName);
        disabled.set(mxid, {
          userId: r.userId,
          username: r.username,
          displayName: r.displayName,
          mxid,
        });
      }
      return { orgTenantId: org.id, name: org.name, rooms, people, disabled };
    });
  });
}
