import { ESCALATION_CATEGORIES, URGENCIES, type Approval, type Urgency } from '@afenda/contracts';

import type { QueueItem } from './approval-queue';

/** Where a request came from, as a person says it; nothing for the Shell itself. */
export function sourceLabel(source: string): string | null {
  if (source === 'shell') return null;
  if (source === 'chatwoot') return 'from the inbox';
  return `from ${source}`;
}

/** APPROVAL_UNDO_S (default 5): how long a decision in the queue can be undone. */
export function undoWindowMs(env: Record<string, string | undefined> = process.env): number {
  const seconds = Number(env.APPROVAL_UNDO_S ?? 5);
  return Number.isFinite(seconds) && seconds >= 0 ? Math.min(seconds, 60) * 1000 : 5000;
}

const text = (value: unknown): string | null =>
  typeof value === 'string' && value.trim() ? value : null;

/**
 * What the decider reads on a queue row: the requester, the requester's note (an escalation's
 * note is in its metadata; a request's is its description), and the customer's last message.
 */
export function queueItem(a: Approval, typeTitle: string): QueueItem {
  const messages = Array.isArray(a.metadata.lastMessages) ? a.metadata.lastMessages : [];
  const lastIncoming = [...messages]
    .reverse()
    .find(
      (m): m is { content: string } =>
        typeof m === 'object' &&
        m !== null &&
        (m as { direction?: unknown }).direction === 'incoming' &&
        typeof (m as { content?: unknown }).content === 'string',
    );
  const e = (a.metadata.escalation ?? {}) as Record<string, unknown>;
  const pick = <T extends string>(v: unknown, allowed: readonly T[]): T | null =>
    typeof v === 'string' && (allowed as readonly string[]).includes(v) ? (v as T) : null;
  return {
    id: a.id,
    title: a.title,
    category: pick(e.category, ESCALATION_CATEGORIES),
    amount:
      typeof e.amount === 'string' && typeof e.currency === 'string'
        ? money(e.amount, e.currency)
        : null,
    urgency: pick<Urgency>(e.urgency, URGENCIES),
    dueAt: typeof e.dueAt === 'string' && !Number.isNaN(Date.parse(e.dueAt)) ? e.dueAt : null,
    requester: a.requestedByName ?? 'Someone',
    note: a.source === 'chatwoot' ? text(a.metadata.note) : text(a.description),
    customerSays: lastIncoming ? lastIncoming.content : null,
    since: a.submittedAt ?? a.createdAt,
    kind: [typeTitle, sourceLabel(a.source)].filter(Boolean).join(' · '),
  };
}

/** "€120.50": an amount in its currency (the code itself when the platform does not know it). */
export function money(amount: string, currency: string): string {
  try {
    return new Intl.NumberFormat('en-GB', { style: 'currency', currency }).format(Number(amount));
  } catch {
    return `${amount} ${currency}`;
  }
}

const RANK: Record<Urgency, number> = { urgent: 0, high: 1, normal: 2, low: 3 };

/**
 * The queue's order: oldest first (as submitted), or most urgent first (urgency, then the
 * earliest due date, then the oldest); the unsorted default is "normal".
 */
export function sortQueue(items: QueueItem[], by: 'oldest' | 'urgency'): QueueItem[] {
  const oldest = (a: QueueItem, b: QueueItem) => a.since.localeCompare(b.since);
  if (by === 'oldest') return [...items].sort(oldest);
  const due = (i: QueueItem) => (i.dueAt ? Date.parse(i.dueAt) : Number.POSITIVE_INFINITY);
  return [...items].sort(
    (a, b) =>
      RANK[a.urgency ?? 'normal'] - RANK[b.urgency ?? 'normal'] || due(a) - due(b) || oldest(a, b),
  );
}
