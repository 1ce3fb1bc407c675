'use client';

import { useRouter } from 'next/navigation';
import { useId, useState, useTransition } from 'react';
import { Check, LoaderCircle, X } from 'lucide-react';
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
import type { ActionResult } from '@/lib/load';
import { approveAction, rejectAction } from '../actions';

/** Approve in one click; reject with a reason. Both refresh the page's data when done. */
export function DecisionButtons({ id, title }: { id: string; title: string }) {
  const router = useRouter();
  const [pending, start] = useTransition();
  const [error, setError] = useState<string | null>(null);
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState('');
  const reasonId = useId();

  const run = (action: () => Promise<ActionResult>, after?: () => void) => {
    setError(null);
    start(async () => {
      const result = await action();
      if (result.ok) {
        after?.();
        router.refresh();
      } else if (result.signedOut) {
        window.location.assign(loginPath(window.location.pathname));
      } else {
        setError(result.message);
      }
    });
  };

  return (
    <div className="flex flex-col items-end gap-1">
      <div className="flex gap-2">
        <Button
          size="sm"
          onClick={() => run(() => approveAction(id))}
          disabled={pending}
          aria-label={`Approve: ${title}`}
        >
          {pending ? <LoaderCircle aria-hidden className="animate-spin" /> : <Check aria-hidden />}
          Approve
        </Button>
        <Dialog open={open} onOpenChange={setOpen}>
          <DialogTrigger asChild>
            <Button size="sm" variant="outline" disabled={pending} aria-label={`Reject: ${title}`}>
              <X aria-hidden />
              Reject
            </Button>
          </DialogTrigger>
          <DialogContent>
            <form
              className="grid gap-4"
              onSubmit={(event) => {
                event.preventDefault();
                run(
                  () => rejectAction(id, reason),
                  () => {
                    setOpen(false);
                    setReason('');
                  },
                );
              }}
            >
              <DialogHeader>
                <DialogTitle>Reject this request?</DialogTitle>
                <DialogDescription>
                  The requester sees your reason. <span className="break-words">“{title}”</span>
                </DialogDescription>
              </DialogHeader>
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
              {error && open ? (
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
                <Button type="submit" variant="destructive" disabled={pending || !reason.trim()}>
                  {pending ? <LoaderCircle aria-hidden className="animate-spin" /> : null}
                  Reject
                </Button>
              </DialogFooter>
            </form>
          </DialogContent>
        </Dialog>
      </div>
      {error && !open ? (
        <p role="alert" className="text-xs text-destructive">
          {error}
        </p>
      ) : null}
    </div>
  );
}
