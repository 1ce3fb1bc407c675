'use server';

import type { ActivityEntry } from '@afenda/contracts';

import { getSession } from '@/lib/auth/session';
import { actionFailure, type ActionResult } from '@/lib/load';
import { orchestratorApi } from '@/lib/workspace';

export interface ActivityFilters {
  type?: string;
  source?: string;
}

/** The next page of the timeline (keyset cursor), for scrolling on. */
export async function loadMoreActivity(
  filters: ActivityFilters,
  cursor: string,
): Promise<ActionResult<{ entries: ActivityEntry[]; nextCursor: string | null }>> {
  try {
    const session = await getSession();
    if (!session) return { ok: false, signedOut: true, message: 'Your session has ended.' };
    const api = orchestratorApi(session.accessToken);
    const { activeTenantId } = await api.listTenants();
    if (!activeTenantId) return { ok: false, message: 'Choose a tenant first.' };
    const page = await api.inTenant(activeTenantId).listActivity({
      type: filters.type?.slice(0, 64) || undefined,
      source: filters.source?.slice(0, 32) || undefined,
      cursor: String(cursor).slice(0, 200),
      limit: 30,
    });
    return { ok: true, data: { entries: page.data, nextCursor: page.nextCursor } };
  } catch (err) {
    return actionFailure(err);
  }
}
