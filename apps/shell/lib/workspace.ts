/**
 * What the signed-in pages show, from the orchestrator with the user's access token: who they
 * are and their tenants. Once per request (the layout and the page share it).
 *
 * Server-only: never import this from a client component.
 */
import { cache } from 'react';

import { getAuthConfig } from './auth/config';
import {
  createOrchestratorApi,
  flattenTenants,
  type FlatTenant,
  type Me,
  type OrchestratorApi,
} from './orchestrator-api';

export interface Workspace {
  me: Me;
  tenants: FlatTenant[];
  active: FlatTenant | null;
}

export function orchestratorApi(accessToken: string): OrchestratorApi {
  return createOrchestratorApi({ baseUrl: getAuthConfig().orchestratorUrl, accessToken });
}

export const loadWorkspace = cache(async (accessToken: string): Promise<Workspace> => {
  const api = orchestratorApi(accessToken);
  const [me, tree] = await Promise.all([api.getMe(), api.listTenants()]);
  const tenants = flattenTenants(tree.tenants);
  const activeId = tree.activeTenantId ?? me.activeTenantId;
  return { me, tenants, active: tenants.find((t) => t.id === activeId) ?? null };
});
