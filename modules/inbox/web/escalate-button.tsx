'use client';

import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useId, useState } from 'react';
import { ArrowUpRight, Siren, TriangleAlert } from 'lucide-react';
import type { ConversationDecision } from '@afenda/contracts';
import { Button, Input, Label, Textarea, Time } from '@afenda/ui';
import { ActionDialog, useServerAction } from '@afenda/ui/action-dialog';

import type { InboxShell } from './types';

const CATEGORIES = [
  ['', 'No category'],
  ['refund', 'Refund'],
  ['discount', 'Discount'],
  ['exception', 'Exception to a rule'],
  ['other', 'Other'],
] as const;
const URGENCY = [
  ['low', 'Low'],
  ['normal', 'Normal'],
  ['high', 'High'],
  ['urgent', 'Urgent'],
] as const;
const EMPTY = {
  question: '',
  category: '',
  amount: '',
  currency: 'EUR',
  urgency: 'normal',
  dueAt: '',
  note: '',
};
const selectClass =
  'h-9 w-full min-w-0 rounded-md border border-input bg-transparent px-3 text-sm shadow-xs outline-none focus-visible:border-ring focus-visible:ring-[3px] focus-visible:ring-ring/50 dark:bg-input/30';

/**
 * Escalate to the CEO: what needs deciding (required), its category, the amount at stake, how
 * urgent and by when, and a note. The agent stays on the conversation; a toast confirms, with a
 * link to the request. While an escalation is pending the button is disabled and says why.
 */
export function EscalateButton({
  conversationId,
  pendingApprovalId,
  lastDecision,
  escalate,
  signInHref,
}: {
  conversationId: string;
  pendingApprovalId: string | null;
  /** The latest decision on this conversation: escalating again warns about it first. */
  lastDecision: ConversationDecision | null;
  /** The Shell's server action. */
  escalate: InboxShell['actions']['inbox']['escalateAction'];
  /** Where to sign in again (and come back) when the session has ended. */
  signInHref: string;
}) {
  const router = useRouter();
  const [open, setOpen] = useState(false);
  const [form, setForm] = useState(EMPTY);
  const set = (patch: Partial<typeof EMPTY>) => setForm((f) => ({ ...f, ...patch }));
  const { pending, error, run } = useServerAction(() => signInHref);
  const noteId = useId();
  const id = useId();
  const reasonId = useId();

  if (pendingApprovalId) {
    return (
      <div className="flex flex-col items-start gap-1 sm:items-end">
        <Button size="sm" disabled aria-describedby={reasonId}>
          <Siren aria-hidden />
          Escalate
        </Button>
        <p
          id={reasonId}
          className="text-xs text-muted-foreground"
          data-testid="escalate-disabled-reason"
        >
          An escalation is waiting for a decision.{' '}
          <Link
            href={`/app/approvals/${pendingApprovalId}`}
            className="underline underline-offset-4"
          >
            See it
            <ArrowUpRight aria-hidden className="inline size-3" />
          </Link>
        </p>
      </div>
    );
  }

  return (
    <ActionDialog
      open={open}
      onOpenChange={setOpen}
      trigger={
        <Button size="sm">
          <Siren aria-hidden />
          Escalate
        </Button>
      }
      title="Escalate to the CEO"
      description="The CEO decides with what you write here and the conversation's last messages."
      error={error}
      pending={pending}
      submitLabel={lastDecision ? 'Escalate again' : 'Escalate'}
      canSubmit={form.question.trim().length >= 3}
      onSubmit={() =>
        run(
          () =>
            escalate(conversationId, {
              ...form,
              // The browser knows the agent's zone: the local date-time becomes an instant here.
              dueAt: form.dueAt ? new Date(form.dueAt).toISOString() : '',
            }),
          ({ approvalId, created }) => {
            setOpen(false);
            setForm(EMPTY);
            const question = form.question.trim();
            // sonner loads with the page's Toaster, after the page: not in the first load.
            void import('@afenda/ui/toaster').then(({ toast }) =>
              toast.success(created ? 'Escalated to the CEO' : 'Already waiting for a decision', {
                description: created ? question : 'The earlier escalation is pending.',
                action: {
                  label: 'See it',
                  onClick: () => router.push(`/app/approvals/${approvalId}`),
                },
              }),
            );
            router.refresh();
          },
        )
      }
    >
      {lastDecision ? (
        <p
          role="note"
          data-testid="escalate-decided-warning"
          className="flex gap-2 rounded-md border border-amber-500/60 bg-amber-50 p-3 text-sm text-amber-950 dark:bg-amber-950/30 dark:text-amber-50"
        >
          <TriangleAlert aria-hidden className="mt-0.5 size-4 shrink-0" />
          <span>
            This case was already {lastDecision.decision} by{' '}
            {lastDecision.decidedByName ?? 'a former member'} on{' '}
            <Time iso={lastDecision.decidedAt} />. Escalating again asks for a new decision; the
            earlier one stays in the ledger.
          </span>
        </p>
      ) : null}
      <div className="grid gap-1.5">
        <Label htmlFor={`${id}-question`}>What needs deciding</Label>
        <Input
          id={`${id}-question`}
          required
          minLength={3}
          maxLength={200}
          value={form.question}
          onChange={(e) => set({ question: e.target.value })}
          placeholder="e.g. Refund the second month for Jane Doe?"
        />
      </div>
      <div className="grid gap-3 sm:grid-cols-2">
        <div className="grid gap-1.5">
          <Label htmlFor={`${id}-category`}>Category</Label>
          <select
            id={`${id}-category`}
            className={selectClass}
            value={form.category}
            onChange={(e) => set({ category: e.target.value })}
          >
            {CATEGORIES.map(([value, label]) => (
              <option key={value} value={value}>
                {label}
              </option>
            ))}
          </select>
        </div>
        <div className="grid gap-1.5">
          <Label htmlFor={`${id}-urgency`}>Urgency</Label>
          <select
            id={`${id}-urgency`}
            className={selectClass}
            value={form.urgency}
            onChange={(e) => set({ urgency: e.target.value })}
          >
            {URGENCY.map(([value, label]) => (
              <option key={value} value={value}>
                {label}
              </option>
            ))}
          </select>
        </div>
        <div className="grid gap-1.5">
          <Label htmlFor={`${id}-amount`}>Amount (if money is at stake)</Label>
          <div className="flex gap-2">
            <Input
              id={`${id}-amount`}
              inputMode="decimal"
              value={form.amount}
              onChange={(e) => set({ amount: e.target.value })}
              placeholder="120.00"
              className="min-w-0"
            />
            <Input
              aria-label="Currency"
              value={form.currency}
              onChange={(e) => set({ currency: e.target.value.toUpperCase().slice(0, 3) })}
              className="w-20 uppercase"
              maxLength={3}
            />
          </div>
        </div>
        <div className="grid gap-1.5">
          <Label htmlFor={`${id}-due`}>Decide by (optional)</Label>
          <Input
            id={`${id}-due`}
            type="datetime-local"
            value={form.dueAt}
            onChange={(e) => set({ dueAt: e.target.value })}
            className="min-w-0"
          />
        </div>
      </div>
      <div className="grid gap-1.5">
        <Label htmlFor={noteId}>Note (optional)</Label>
        <Textarea
          id={noteId}
          value={form.note}
          onChange={(e) => set({ note: e.target.value })}
          maxLength={2000}
        />
      </div>
    </ActionDialog>
  );
}
