import type { Approval } from '@afenda/contracts';

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
  return {
    id: a.id,
    title: a.title,
    requester: a.requestedByName ?? 'Someone',
    note: a.source === 'chatwoot' ? text(a.metadata.note) : text(a.description),
    customerSays: lastIncoming ? lastIncoming.content : null,
    since: a.submittedAt ?? a.createdAt,
    kind: [typeTitle, sourceLabel(a.source)].filter(Boolean).join(' · '),
  };
}
