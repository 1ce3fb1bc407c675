/**
 * How Keycloak expresses tenants and roles, and how we read it. docs/identity.md explains the
 * model; this is the one implementation, used by the demo seed and by the identity sync.
 *
 *   /acme                 afenda_kind=organization          -> organisation tenant "acme"
 *   /acme/support         afenda_kind=team                  -> team tenant under acme
 *   /acme/owners          afenda_kind=role, afenda_role=owner     (also: admin, viewer, approver)
 *
 * Every user also has an individual tenant of their own.
 */
/** JWS algorithms we accept for tokens: asymmetric only, so `none` and HMAC-with-a-public-key fail. */
export const ASYMMETRIC_JWS_ALGORITHMS = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
] as const;

export const MEMBER_ROLES = ['owner', 'admin', 'member', 'viewer'] as const;
export type MemberRole = (typeof MEMBER_ROLES)[number];
export type TenantKind = 'organization' | 'team' | 'individual';

export interface KeycloakGroup {
  id?: string;
  name: string;
  path?: string;
  attributes?: Record<string, string[]>;
  subGroups?: KeycloakGroup[];
}

export interface KeycloakUser {
  id?: string;
  username: string;
  email?: string;
  firstName?: string;
  lastName?: string;
  enabled?: boolean;
  groups?: string[];
  serviceAccountClientId?: string;
}

export interface DirectoryTenant {
  /** Stable key: the group path, or `user:<keycloak id>` for individual tenants. */
  key: string;
  kind: TenantKind;
  slug: string;
  name: string;
  parentKey: string | null;
  groupId: string | null;
  groupPath: string | null;
}

export interface DirectoryUser {
  keycloakId: string;
  username: string;
  email: string | null;
  displayName: string;
  enabled: boolean;
}

export interface DirectoryMembership {
  tenantKey: string;
  keycloakId: string;
  role: MemberRole;
  canApprove: boolean;
}

export interface Directory {
  tenants: DirectoryTenant[];
  users: DirectoryUser[];
  memberships: DirectoryMembership[];
}

const attr = (g: KeycloakGroup, name: string): string | undefined => g.attributes?.[name]?.[0];

export function slugify(value: string): string {
  const slug = value
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 63);
  return slug || 'x';
}

const ROLE_RANK: Record<MemberRole, number> = { owner: 4, admin: 3, member: 2, viewer: 1 };

/** Builds the directory from Keycloak groups (as a tree) and users (with their group paths). */
export function buildDirectory(groups: KeycloakGroup[], users: KeycloakUser[]): Directory {
  const tenants: DirectoryTenant[] = [];
  const roleGroups = new Map<string, { org: string; role: string }>();
  const teamOf = new Map<string, string>(); // group path -> org path

  for (const org of groups) {
    if (attr(org, 'afenda_kind') !== 'organization') continue;
    const orgPath = org.path ?? `/${org.name}`;
    tenants.push({
      key: orgPath,
      kind: 'organization',
      slug: attr(org, 'slug') ?? slugify(org.name),
      name: attr(org, 'display_name') ?? org.name,
      parentKey: null,
      groupId: org.id ?? null,
      groupPath: orgPath,
    });
    for (const sub of org.subGroups ?? []) {
      const subPath = sub.path ?? `${orgPath}/${sub.name}`;
      const kind = attr(sub, 'afenda_kind');
      if (kind === 'team') {
        teamOf.set(subPath, orgPath);
        tenants.push({
          key: subPath,
          kind: 'team',
          slug: attr(sub, 'slug') ?? slugify(sub.name),
          name: attr(sub, 'display_name') ?? sub.name,
          parentKey: orgPath,
          groupId: sub.id ?? null,
          groupPath: subPath,
        });
      } else if (kind === 'role') {
        roleGroups.set(subPath, { org: orgPath, role: attr(sub, 'afenda_role') ?? '' });
      }
    }
  }
  const orgPaths = new Set(tenants.filter((t) => t.kind === 'organization').map((t) => t.key));

  const dirUsers: DirectoryUser[] = [];
  const memberships: DirectoryMembership[] = [];
  for (const user of users) {
    if (user.serviceAccountClientId || !user.id) continue;
    const displayName = [user.firstName, user.lastName].filter(Boolean).join(' ') || user.username;
    dirUsers.push({
      keycloakId: user.id,
      username: user.username,
      email: user.email ?? null,
      displayName,
      enabled: user.enabled !== false,
    });
    const personalKey = `user:${user.id}`;
    tenants.push({
      key: personalKey,
      kind: 'individual',
      slug: slugify(`u-${user.username}`),
      name: displayName,
      parentKey: null,
      groupId: null,
      groupPath: null,
    });
    memberships.push({
      tenantKey: personalKey,
      keycloakId: user.id,
      role: 'owner',
      canApprove: true,
    });

    const orgRoles = new Map<string, { role: MemberRole; approver: boolean }>();
    const touch = (org: string) => {
      const entry = orgRoles.get(org) ?? { role: 'member' as MemberRole, approver: false };
      orgRoles.set(org, entry);
      return entry;
    };
    let viewerOnly = new Set<string>();
    for (const groupPath of user.groups ?? []) {
      const role = roleGroups.get(groupPath);
      if (role) {
        const entry = touch(role.org);
        if (role.role === 'approver') entry.approver = true;
        else if (role.role === 'viewer') viewerOnly.add(role.org);
        else if (role.role === 'owner' || role.role === 'admin') {
          if (ROLE_RANK[role.role] > ROLE_RANK[entry.role]) entry.role = role.role;
        }
        continue;
      }
      const org = teamOf.get(groupPath) ?? (orgPaths.has(groupPath) ? groupPath : undefined);
      if (org) touch(org);
    }
    // Viewer narrows "member" only: an owner or admin who is also in viewers stays what they are.
    viewerOnly = new Set([...viewerOnly].filter((org) => orgRoles.get(org)?.role === 'member'));
    for (const [org, entry] of orgRoles) {
      const role: MemberRole = viewerOnly.has(org) ? 'viewer' : entry.role;
      memberships.push({
        tenantKey: org,
        keycloakId: user.id,
        role,
        canApprove: role === 'owner' || entry.approver,
      });
    }
    for (const groupPath of user.groups ?? []) {
      const org = teamOf.get(groupPath);
      if (!org) continue;
      const orgRole = viewerOnly.has(org) ? 'viewer' : (orgRoles.get(org)?.role ?? 'member');
      const role: MemberRole = orgRole === 'owner' || orgRole === 'admin' ? 'admin' : orgRole;
      memberships.push({
        tenantKey: groupPath,
        keycloakId: user.id,
        role,
        canApprove: orgRole === 'owner' || (orgRoles.get(org)?.approver ?? false),
      });
    }
  }
  return { tenants, users: dirUsers, memberships };
}
