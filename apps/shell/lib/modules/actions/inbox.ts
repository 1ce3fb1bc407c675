'use server';

import { inActiveTenant, isUuid } from '@/lib/actions';
import type { ActionResult } from '@/lib/load';

/** Escalate a conversation to its organisation's CEO: the new approval, or the pending one. */
export async function escalateAction(
  conversationId: string,
  note: string,
): Promise<ActionResult<{ approvalId: string; created: boolean }>> {
  if (!isUuid(conversationId)) return { ok: false, message: 'No such conversation.' };
  const text = typeof note === 'string' ? note.trim() : '';
  if (text.length > 2000) return { ok: false, message: 'Keep the note under 2,000 characters.' };
  return inActiveTenant(async (api) => {
    const { approval, created } = await api.escalate(conversationId, text || undefined);
    return { approvalId: approval.id, created };
  });
}
