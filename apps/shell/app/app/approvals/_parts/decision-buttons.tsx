'use client';

import { useRouter } from 'next/navigation';
import { useId, useMemo, useState } from 'react';
import { Check, LoaderCircle, X } from 'lucide-react';
import { Button, Label, Textarea } from '@afenda/ui';
import { ActionDialog, useServerAction } from '@afenda/ui/action-dialog';

import { loginPath } from '@/lib/auth/paths';
import { approveAction, rejectAction } from '../actions';

/** Approve in one click; reject with a reason. Both refresh the page's data when done. */
export function DecisionButtons({ id, title }: { id: string; title: string }) {
  const router = useRouter();
  const { pending, error, run } = useServerAction(() => loginPath(window.location.pathname));
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState('');
  const reasonId = useId();
  // One idempotency key per decision: trying again after a lost answer is recorded once.
  const approveKey = useMemo(() => crypto.randomUUID(), []);
  const rejectKey = useMemo(() => (reason.trim() ? crypto.randomUUID() : ''), [reason]);

  return (
    <div className="flex flex-col items-end gap-1">
      <div className="flex gap-2">
        <Button
          size="sm"
          onClick={() =>
            run(
              () => approveAction(id, approveKey),
              () => router.refresh(),
            )
          }
          disabled={pending}
          aria-label={`Approve: ${title}`}
        >
          {pending ? <LoaderCircle aria-hidden className="animate-spin" /> : <Check aria-hidden />}
          Approve
        </Button>
        <ActionDialog
          open={open}
          onOpenChange={setOpen}
          trigger={
            <Button size="sm" variant="outline" disabled={pending} aria-label={`Reject: ${title}`}>
              <X aria-hidden />
              Reject
            </Button>
          }
          title="Reject this request?"
          description={
            <>
              The requester sees your reason. <span className="break-words">“{title}”</span>
            </>
          }
          error={open ? error : null}
          pending={pending}
          submitLabel="Reject"
          submitVariant="destructive"
          canSubmit={Boolean(reason.trim())}
          onSubmit={() =>
            run(
              () => rejectAction(id, reason, rejectKey || undefined),
              () => {
                setOpen(false);
                setReason('');
                router.refresh();
              },
            )
          }
        >
          <div className="grid gap-2">
            <Label htmlFor={reasonId}>Reason</Label>
            <Textarea
              id={reasonId}
              value={reason}
              onChange={(e) => setReason(e.target.value)}
              required
              maxLength={2000}
              placeholder="Why not?"
            />
          </div>
        </ActionDialog>
      </div>
      {error && !open ? (
        <p role="alert" className="text-xs text-destructive">
          {error}
        </p>
      ) : null}
    </div>
  );
}
