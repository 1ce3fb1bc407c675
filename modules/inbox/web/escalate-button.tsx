'use client';

import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useId, useState } from 'react';
import { ArrowUpRight, Siren, TriangleAlert } from 'lucide-react';
import type { ConversationDecision } from '@afenda/contracts';
import { Button, Label, Textarea, Time } from '@afenda/ui';
import { ActionDialog, useServerAction } from '@afenda/ui/action-dialog';

import type { InboxShell } from './types';

/**
 * Escalate to the CEO, with an optional note. While an escalation is pending the button is
 * disabled and says why, with a link to the pending approval.
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
  const [note, setNote] = useState('');
  const { pending, error, run } = useServerAction(() => signInHref);
  const noteId = useId();
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
      description="Creates an approval request with the conversation's last messages as context."
      error={error}
      pending={pending}
      submitLabel={lastDecision ? 'Escalate again' : 'Escalate'}
      onSubmit={() =>
        run(
          () => escalate(conversationId, note),
          ({ approvalId }) => {
            setOpen(false);
            router.push(`/app/approvals/${approvalId}`);
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
      <div className="grid gap-2">
        <Label htmlFor={noteId}>Note (optional)</Label>
        <Textarea
          id={noteId}
          value={note}
          onChange={(e) => setNote(e.target.value)}
          maxLength={2000}
        />
      </div>
    </ActionDialog>
  );
}
