'use client';

import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useId, useState, useTransition } from 'react';
import { ArrowUpRight, LoaderCircle, Siren } from 'lucide-react';
import { Button, Label, Textarea } from '@afenda/ui';
import {
  Dialog,
  DialogClose,
  DialogContent,
  DialogDescription,
  DialogFooter,
  DialogHeader,
  DialogTitle,
  DialogTrigger,
} from '@afenda/ui/dialog';

import { loginPath } from '@/lib/auth/paths';
import { escalateAction } from '../actions';

/**
 * Escalate to the CEO, with an optional note. While an escalation is pending the button is
 * disabled and says why, with a link to the pending approval.
 */
export function EscalateButton({
  conversationId,
  pendingApprovalId,
}: {
  conversationId: string;
  pendingApprovalId: string | null;
}) {
  const router = useRouter();
  const [open, setOpen] = useState(false);
  const [note, setNote] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [pending, start] = useTransition();
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
    <Dialog open={open} onOpenChange={setOpen}>
      <DialogTrigger asChild>
        <Button size="sm">
          <Siren aria-hidden />
          Escalate
        </Button>
      </DialogTrigger>
      <DialogContent>
        <form
          className="grid gap-4"
          onSubmit={(event) => {
            event.preventDefault();
            setError(null);
            start(async () => {
              const result = await escalateAction(conversationId, note);
              if (result.ok) {
                setOpen(false);
                router.push(`/app/approvals/${result.data.approvalId}`);
              } else if (result.signedOut) {
                window.location.assign(loginPath(window.location.pathname));
              } else {
                setError(result.message);
              }
            });
          }}
        >
          <DialogHeader>
            <DialogTitle>Escalate to the CEO</DialogTitle>
            <DialogDescription>
              Creates an approval request with the conversation&apos;s last messages as context.
            </DialogDescription>
          </DialogHeader>
          <div className="grid gap-2">
            <Label htmlFor={noteId}>Note (optional)</Label>
            <Textarea
              id={noteId}
              value={note}
              onChange={(e) => setNote(e.target.value)}
              maxLength={2000}
            />
          </div>
          {error ? (
            <p role="alert" className="text-sm text-destructive">
              {error}
            </p>
          ) : null}
          <DialogFooter>
            <DialogClose asChild>
              <Button type="button" variant="outline">
                Cancel
              </Button>
            </DialogClose>
            <Button type="submit" disabled={pending}>
              {pending ? <LoaderCircle aria-hidden className="animate-spin" /> : null}
              Escalate
            </Button>
          </DialogFooter>
        </form>
      </DialogContent>
    </Dialog>
  );
}
