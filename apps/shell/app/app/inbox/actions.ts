'use server';

import { getSession } from '@/lib/auth/session';
import { actionFailure, type ActionResult } from '@/lib/load';
import { orchestratorApi } from '@/lib/workspace';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Escalate a conversation to its organisation's CEO: the new approval, or the pending one. */
export async function escalateAction(
  conversationId: string,
  note: string,
): Promise<ActionResult<{ approvalId: string; created: boolean }>> {
  if (typeof conversationId !== 'string' || !UUID.test(conversationId))
    return { ok: false, message: 'No such conversation.' };
  const text = typeof note === 'string' ? note.trim() : '';
  if (text.length > 2000) return { ok: false, message: 'Keep the note under 2,000 characters.' };
  try {
    const session = await getSession();
    if (!session) return { ok: false, signedOut: true, message: 'Your session has ended.' };
    const api = orchestratorApi(session.accessToken);
    const { activeTenantId } = await api.listTenants();
    if (!activeTenantId) return { ok: false, message: 'Choose a tenant first.' };
    const { approval, created } = await api
      .inTenant(activeTenantId)
      .escalate(conversationId, text || undefined);
    return { ok: true, data: { approvalId: approval.id, created } };
  } catch (err) {
    return actionFailure(err);
  }
}
