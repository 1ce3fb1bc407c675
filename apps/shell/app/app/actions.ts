'use server';

import { refresh } from 'next/cache';

import { getSession } from '@/lib/auth/session';
import { OrchestratorApiError } from '@/lib/orchestrator-api';
import { orchestratorApi } from '@/lib/workspace';

export type SwitchTenantResult = { ok: true } | { ok: false; signedOut?: boolean; message: string };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Make a tenant the active one of this session (the orchestrator checks membership). */
export async function switchTenant(tenantId: string): Promise<SwitchTenantResult> {
  if (typeof tenantId !== 'string' || !UUID.test(tenantId)) {
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
