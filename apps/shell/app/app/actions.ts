'use server';

import { refresh } from 'next/cache';

import { isUuid } from '@/lib/actions';
import { getSession } from '@/lib/auth/session';
import { OrchestratorApiError } from '@/lib/api/client';
import { orchestratorApi } from '@/lib/workspace';

export type SwitchTenantResult = { ok: true } | { ok: false; signedOut?: boolean; message: string };

/** Make a tenant the active one of this session (the orchestrator checks membership). */
export async function switchTenant(tenantId: string): Promise<SwitchTenantResult> {
  if (!isUuid(tenantId)) {
    return { ok: false, message: 'That tenant does not exist.' };
  }
  const session = await getSession();
  if (!session) return { ok: false, signedOut: true, message: 'Your session has ended.' };
  try {
    await orchestratorApi(session.accessToken).switchTenant(tenantId);
  } catch (err) {
    if (err instanceof OrchestratorApiError) return { ok: false, message: err.message };
    console.error('switching tenants failed:', err);
    return { ok: false, message: 'The workspace service could not be reached. Try again.' };
  }
  refresh();
  return { ok: true };
}
