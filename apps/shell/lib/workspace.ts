/**
 * What the signed-in pages show, from the orchestrator with the user's access token: who they
 * are and their tenants. Once per request (the layout and the page share it).
 *
 * Server-only: never import this from a client component.
 */
import type { ModuleState } from '@afenda/contracts';
import { cache } from 'react';

import { getAuthConfig } from './auth/config';
import { requireSession, type CurrentSession } from './auth/session';
import { createOrchestratorApi, type OrchestratorApi, type TenantApi } from './api/orchestrator';
import { flattenTenants, type FlatTenant, type Me } from './api/tenants';

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

/** The signed-in user in their active tenant, with the calls that act there. */
export interface TenantContext {
  session: CurrentSession;
  workspace: Workspace;
  tenant: FlatTenant;
  api: TenantApi;
}

/**
 * For pages that act in the active tenant: the session (else sign-in) and the active tenant, or
 * null when the user has none (the page shows that state).
 */
export async function requireTenantContext(returnTo?: string): Promise<TenantContext | null> {
  const session = await requireSession(returnTo);
  const workspace = await loadWorkspace(session.accessToken);
  if (!workspace.active) return null;
  return {
    session,
    workspace,
    tenant: workspace.active,
    api: orchestratorApi(session.accessToken).inTenant(workspace.active.id),
  };
}

/** Each module's state in the tenant, or null when the orchestrator can't say. Once per request. */
export const loadModuleStates = cache(
  async (accessToken: string, tenantId: string): Promise<ModuleState[] | null> => {
    try {
      return await orchestratorApi(accessToken).inTenant(tenantId).listModuleStates();
    } catch (err) {
      console.error('module states unavailable:', err instanceof Error ? err.message : err);
      return null;
    }
  },
);
