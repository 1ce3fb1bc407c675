/**
 * The rooms API for the signed-in user in their active tenant. Server-only.
 */
import { requireSession } from '@/lib/auth/session';
import type { RoomsApi } from '@/lib/api/rooms';
import { loadWorkspace, orchestratorApi, type Workspace } from '@/lib/workspace';

export interface RoomsContext {
  workspace: Workspace;
  /** Null when the user has no active tenant. */
  api: RoomsApi | null;
}

export async function roomsContext(returnTo: string): Promise<RoomsContext> {
  const session = await requireSession(returnTo);
  const workspace = await loadWorkspace(session.accessToken);
  const tenantId = workspace.active?.id;
  return {
    workspace,
    api: tenantId ? orchestratorApi(session.accessToken).inTenant(tenantId).rooms : null,
  };
}
