'use server';

import { redirect } from 'next/navigation';

import { getSession } from '@/lib/auth/session';
import { actionFailure, type ActionResult } from '@/lib/load';
import type { TenantApi } from '@/lib/orchestrator-api';
import { orchestratorApi } from '@/lib/workspace';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

async function tenantApi(): Promise<TenantApi | null> {
  const session = await getSession();
  if (!session) return null;
  const api = orchestratorApi(session.accessToken);
  const { activeTenantId } = await api.listTenants();
  return activeTenantId ? api.inTenant(activeTenantId) : null;
}

async function act(id: string, run: (api: TenantApi) => Promise<unknown>): Promise<ActionResult> {
  if (typeof id !== 'string' || !UUID.test(id)) return { ok: false, message: 'No such approval.' };
  try {
    const api = await tenantApi();
    if (!api) return { ok: false, signedOut: true, message: 'Your session has ended.' };
    await run(api);
    return { ok: true, data: undefined };
  } catch (err) {
    return actionFailure(err);
  }
}

export async function approveAction(id: string): Promise<ActionResult> {
  return act(id, (api) => api.approve(id));
}

export async function rejectAction(id: string, reason: string): Promise<ActionResult> {
  const text = typeof reason === 'string' ? reason.trim() : '';
  if (!text) return { ok: false, message: 'Say why you reject it.' };
  if (text.length > 2000) return { ok: false, message: 'Keep the reason under 2,000 characters.' };
  return act(id, (api) => api.reject(id, text));
}

export interface NewRequestState {
  message: string | null;
}

/** The requester's form: a request, submitted at once, then its page. */
export async function createRequestAction(
  _previous: NewRequestState,
  form: FormData,
): Promise<NewRequestState> {
  const title = String(form.get('title') ?? '').trim();
  const description = String(form.get('description') ?? '');
  const type = String(form.get('type') ?? 'generic');
  if (!title) return { message: 'Give the request a title.' };
  if (title.length > 200) return { message: 'Keep the title under 200 characters.' };
  if (description.length > 5000) return { message: 'Keep the description under 5,000 characters.' };
  let id: string;
  try {
    const api = await tenantApi();
    if (!api) return { message: 'Your session has ended. Sign in again.' };
    id = (await api.createApproval({ type, title, description, submit: true })).id;
  } catch (err) {
    return { message: actionFailure(err).message };
  }
  redirect(`/app/approvals/${id}`);
}
