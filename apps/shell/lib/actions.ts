/**
 * What every server action of the /app pages shares: the caller's session and active tenant, and
 * a result the client shows instead of a thrown error. Server-only.
 */
import { revalidatePath } from 'next/cache';

import { getSession } from './auth/session';
import { actionFailure, type ActionResult } from './load';
import type { TenantApi } from './api/orchestrator';
import { orchestratorApi } from './workspace';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(value: unknown): value is string {
  return typeof value === 'string' && UUID.test(value);
}

/** The calls that act in the session's active tenant, or null when signed out or tenantless. */
export async function activeTenantApi(): Promise<
  { api: TenantApi } | { api: null; signedOut: boolean }
> {
  const session = await getSession();
  if (!session) return { api: null, signedOut: true };
  const api = orchestratorApi(session.accessToken);
  const { activeTenantId } = await api.listTenants();
  return activeTenantId ? { api: api.inTenant(activeTenantId) } : { api: null, signedOut: false };
}

/**
 * Runs `fn` in the active tenant; failures become a message for the page. A change (`mutates`)
 * also drops the browser's cached pages, so going back shows the state after it.
 */
export async function inActiveTenant<T>(
  fn: (api: TenantApi) => Promise<T>,
  {
    mutates = true,
    failure = actionFailure,
  }: { mutates?: boolean; failure?: (err: unknown) => { ok: false; message: string } } = {},
): Promise<ActionResult<T>> {
  try {
    const tenant = await activeTenantApi();
    if (!tenant.api) {
      return tenant.signedOut
        ? { ok: false, signedOut: true, message: 'Your session has ended.' }
        : { ok: false, message: 'Choose a tenant first.' };
    }
    const data = await fn(tenant.api);
    if (mutates) revalidatePath('/app', 'layout');
    return { ok: true, data };
  } catch (err) {
    return failure(err);
  }
}
