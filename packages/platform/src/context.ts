/** A member's role in a tenant, from Keycloak's groups (the directory sync keeps it). */
export type TenantRole = 'owner' | 'admin' | 'member' | 'viewer';

/** Who is acting, where: the authenticated caller in the tenant the request names. */
export interface Actor {
  tenantId: string;
  userId: string;
  role: TenantRole;
  canApprove: boolean;
}
