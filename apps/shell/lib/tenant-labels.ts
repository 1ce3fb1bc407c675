import type { Tenant } from '@afenda/contracts';

/** How roles and kinds of tenants read in the interface (server and client components). */
export const ROLE_LABEL: Record<Tenant['role'], string> = {
  owner: 'Owner',
  admin: 'Admin',
  member: 'Member',
  viewer: 'Viewer',
};

export const KIND_LABEL: Record<Tenant['kind'], string> = {
  individual: 'Personal',
  organization: 'Organisation',
  team: 'Team',
};
