'use server';

import { getSession } from '@/lib/auth/session';
import { actionFailure, type ActionResult } from '@/lib/load';
import type { TenantApi } from '@/lib/orchestrator-api';
import { orchestratorApi } from '@/lib/workspace';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

async function inActiveTenant(run: (api: TenantApi) => Promise<void>): Promise<ActionResult> {
  try {
    const session = await getSession();
    if (!session) return { ok: false, signedOut: true, message: 'Your session has ended.' };
    const api = orchestratorApi(session.accessToken);
    const { activeTenantId } = await api.listTenants();
    if (!activeTenantId) return { ok: false, message: 'Choose a tenant first.' };
    await run(api.inTenant(activeTenantId));
    return { ok: true, data: undefined };
  } catch (err) {
    return actionFailure(err);
  }
}

export async function markReadAction(id: string): Promise<ActionResult> {
  if (typeof id !== 'string' || !UUID.test(id))
    return { ok: false, message: 'No such notification.' };
  return inActiveTenant((api) => api.markRead(id));
}

export async function markAllReadAction(): Promise<ActionResult> {
  return inActiveTenant((api) => api.markAllRead());
}
