/** Who the caller is and their tenants (`/me`, `/tenants`): not tied to one tenant. */
import {
  meSchema,
  tenantContactSchema,
  tenantNodeSchema,
  tenantSchema,
  type TenantContact,
  type Tenant,
  type TenantNode,
} from '@afenda/contracts';
import { z } from 'zod';

import { getData, page, segment, send, type Call } from './client';

export type Me = z.infer<typeof meSchema>;

export interface TenantTree {
  tenants: TenantNode[];
  activeTenantId: string | null;
}

const tree = page(tenantNodeSchema, { activeTenantId: z.string().nullable().optional() });

export function createTenantsApi(call: Call) {
  return {
    getMe: (): Promise<Me> => getData(call, '/me', meSchema),
    async listTenants(): Promise<TenantTree> {
      const { body } = await call('GET', '/tenants', tree);
      return { tenants: body.data, activeTenantId: body.meta.activeTenantId ?? null };
    },
    /** Whom a member asks about the tenant's setup (its organisation's owners and admins). */
    listContacts: (tenantId: string): Promise<TenantContact[]> =>
      getData(call, `/tenants/${segment(tenantId)}/contacts`, z.array(tenantContactSchema)),
    switchTenant: (tenantId: string): Promise<Tenant> =>
      send(call, 'POST', `/tenants/${segment(tenantId)}/switch`, tenantSchema, undefined, {
        idempotent: false,
      }),
  };
}

/** Depth-first, in the orchestrator's order: each tenant with its depth and its parent. */
export interface FlatTenant extends Tenant {
  depth: number;
  parentName: string | null;
}

export function flattenTenants(
  nodes: TenantNode[],
  depth = 0,
  parent: TenantNode | null = null,
): FlatTenant[] {
  return nodes.flatMap(({ children, ...tenant }) => [
    { ...tenant, depth, parentName: parent?.name ?? null },
    ...flattenTenants(children, depth + 1, { ...tenant, children }),
  ]);
}
