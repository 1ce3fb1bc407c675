'use server';

import { ESCALATION_CATEGORIES, URGENCIES } from '@afenda/contracts';

import { inActiveTenant, isUuid } from '@/lib/actions';
import type { ActionResult } from '@/lib/load';
import type { EscalateBody } from '@/lib/api/conversations';

/** The escalation form, as the agent filled it in. */
export interface EscalationForm {
  question: string;
  category: string;
  amount: string;
  currency: string;
  urgency: string;
  /** A local date-time from the form, already turned into an instant by the browser (ISO). */
  dueAt: string;
  note: string;
}

/** The form as the API's body, or what is wrong with it in words (the API checks again). */
function toBody(form: EscalationForm): EscalateBody | string {
  const text = (v: unknown) => (typeof v === 'string' ? v.trim() : '');
  const question = text(form.question);
  if (question.length < 3) return 'Say what needs deciding.';
  if (question.length > 200) return 'Keep what needs deciding under 200 characters.';
  const note = text(form.note);
  if (note.length > 2000) return 'Keep the note under 2,000 characters.';
  const category = text(form.category);
  if (category && !(ESCALATION_CATEGORIES as readonly string[]).includes(category))
    return 'Choose a category from the list.';
  const urgency = text(form.urgency) || 'normal';
  if (!(URGENCIES as readonly string[]).includes(urgency))
    return 'Choose an urgency from the list.';
  const amount = text(form.amount).replace(',', '.');
  const currency = text(form.currency).toUpperCase();
  if (amount && !/^\d{1,12}(\.\d{1,2})?$/.test(amount))
    return 'The amount is a number like 120 or 120.50.';
  if (amount && Number(amount) <= 0) return 'The amount must be more than 0.';
  if (amount && !/^[A-Z]{3}$/.test(currency)) return 'Give the amount’s currency (e.g. EUR).';
  const dueAt = text(form.dueAt);
  if (dueAt && Number.isNaN(Date.parse(dueAt))) return 'The due date is not a date.';
  return {
    question,
    urgency: urgency as EscalateBody['urgency'],
    ...(category ? { category: category as EscalateBody['category'] } : {}),
    ...(amount ? { amount, currency } : {}),
    ...(dueAt ? { dueAt: new Date(dueAt).toISOString() } : {}),
    ...(note ? { note } : {}),
  };
}

/** Escalate a conversation to its organisation's CEO: the new approval, or the pending one. */
export async function escalateAction(
  conversationId: string,
  form: EscalationForm,
): Promise<ActionResult<{ approvalId: string; created: boolean }>> {
  if (!isUuid(conversationId)) return { ok: false, message: 'No such conversation.' };
  const body = toBody(form);
  if (typeof body === 'string') return { ok: false, message: body };
  return inActiveTenant(async (api) => {
    const { approval, created } = await api.escalate(conversationId, body);
    return { approvalId: approval.id, created };
  });
}
