'use client';

import { type RefObject, useEffect, useState } from 'react';
import {
  Dialog,
  DialogContent,
  DialogDescription,
  DialogHeader,
  DialogTitle,
} from '@afenda/ui/dialog';

const KEYS: [string, string][] = [
  ['j', 'Select the next request'],
  ['k', 'Select the previous request'],
  ['Enter', 'Open the selected request'],
  ['a', 'Approve the selected request (with Undo)'],
  ['r', 'Reject the selected request (asks for the reason)'],
  ['?', 'Show these keys'],
];

/** Typing in a field, or a dialog open: the queue's keys stay out of the way. */
function typing(event: KeyboardEvent): boolean {
  const target = event.target as HTMLElement | null;
  if (event.ctrlKey || event.metaKey || event.altKey) return true;
  if (target?.closest('input, textarea, select, [contenteditable=""], [contenteditable="true"]'))
    return true;
  return document.querySelector('[role="dialog"], [role="alertdialog"]') !== null;
}

/**
 * Keyboard-first triage over the queue's rows (li[data-approval-id] in `list`): j/k move the
 * selection (the row's title takes the focus, so Enter opens it), a approves and r rejects the
 * selected row through its own buttons, ? shows the keys.
 */
export function QueueKeys({
  list,
  onSelect,
}: {
  list: RefObject<HTMLUListElement | null>;
  /** The selected row's id (the queue shows it in its preview). */
  onSelect?: (id: string) => void;
}) {
  const [help, setHelp] = useState(false);

  useEffect(() => {
    const rows = () =>
      Array.from(list.current?.querySelectorAll<HTMLLIElement>('li[data-approval-id]') ?? []);
    const select = (row: HTMLLIElement) => {
      for (const r of rows()) r.removeAttribute('data-selected');
      row.setAttribute('data-selected', 'true');
      row.querySelector<HTMLAnchorElement>('a')?.focus();
      if (row.dataset.approvalId) onSelect?.(row.dataset.approvalId);
    };
    const onKey = (event: KeyboardEvent) => {
      if (event.key === '?' && !typing(event)) {
        event.preventDefault();
        setHelp(true);
        return;
      }
      if (typing(event) || !['j', 'k', 'a', 'r'].includes(event.key)) return;
      const all = rows();
      if (all.length === 0) return;
      const current = all.findIndex((r) => r.dataset.selected === 'true');
      event.preventDefault();
      if (event.key === 'j' || event.key === 'k') {
        const step = event.key === 'j' ? 1 : -1;
        const next = current < 0 ? 0 : Math.min(all.length - 1, Math.max(0, current + step));
        select(all[next]!);
        return;
      }
      const row = all[current < 0 ? 0 : current]!;
      const label = event.key === 'a' ? 'Approve: ' : 'Reject: ';
      row.querySelector<HTMLButtonElement>(`button[aria-label^="${label}"]`)?.click();
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [list, onSelect]);

  return (
    <Dialog open={help} onOpenChange={setHelp}>
      <DialogContent data-testid="queue-keys-help">
        <DialogHeader>
          <DialogTitle>Keyboard shortcuts</DialogTitle>
          <DialogDescription>In the queue, when you are not typing in a field.</DialogDescription>
        </DialogHeader>
        <dl className="grid grid-cols-[auto_1fr] gap-x-4 gap-y-2 text-sm">
          {KEYS.map(([key, what]) => (
            <div key={key} className="contents">
              <dt>
                <kbd className="rounded border bg-muted px-1.5 py-0.5 font-mono text-xs">{key}</kbd>
              </dt>
              <dd>{what}</dd>
            </div>
          ))}
        </dl>
      </DialogContent>
    </Dialog>
  );
}
