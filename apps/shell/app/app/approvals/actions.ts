'use server';

import { revalidatePath } from 'next/cache';
import { redirect } from 'next/navigation';

import { activeTenantApi, inActiveTenant, isUuid } from '@/lib/actions';
import { actionFailure, decisionFailure, type ActionResult } from '@/lib/load';

/**
 * A decision. `key` is the browser's idempotency key for this decision (a UUID): a retry sends
 * the same one, so the orchestrator records it once and answers the stored result again.
 */
export async function approveAction(id: string, key?: string): Promise<ActionResult<void>> {
  if (!isUuid(id)) return { ok: false, message: 'No such approval.' };
  if (key !== undefined && !isUuid(key))
    return { ok: false, message: 'Not recorded: bad request.' };
  return inActiveTenant(async (api) => void (await api.approve(id, undefined, key)), {
    failure: decisionFailure,
  });
}

export async function rejectAction(
  id: string,
  reason: string,
  key?: string,
): Promise<ActionResult<void>> {
  if (!isUuid(id)) return { ok: false, message: 'No such approval.' };
  if (key !== undefined && !isUuid(key))
    return { ok: false, message: 'Not recorded: bad request.' };
  const text = typeof reason === 'string' ? reason.trim() : '';
  if (!text) return { ok: false, message: 'Say why you reject it.' };
  if (text.length > 2000) return { ok: false, message: 'Keep the reason under 2,000 characters.' };
  return inActiveTenant(async (api) => void (await api.reject(id, text, key)), {
    failure: decisionFailure,
  });
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
    const { api } = await activeTenantApi();
    if (!api) return { message: 'Your session has ended, or you have no tenant. Sign in again.' };
    id = (await api.createApproval({ type, title, description, submit: true })).id;
    revalidatePath('/app', 'layout');
  } catch (err) {
    return { message: actionFailure(err).message };
  }
  redirect(`/app/approvals/${id}`);
}
