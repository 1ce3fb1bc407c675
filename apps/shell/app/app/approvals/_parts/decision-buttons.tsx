'use client';

import { useRouter } from 'next/navigation';
import { useMemo, useState } from 'react';
import { Check, LoaderCircle } from 'lucide-react';
import { Button } from '@afenda/ui';
import { useServerAction } from '@afenda/ui/action-dialog';

import { loginPath } from '@/lib/auth/paths';
import { approveAction, rejectAction } from '../actions';
import { RejectDialog } from './reject-dialog';

/** Approve in one click; reject with a reason. Both refresh the page's data when done. */
export function DecisionButtons({ id, title }: { id: string; title: string }) {
  const router = useRouter();
  const { pending, error, run } = useServerAction(() => loginPath(window.location.pathname));
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState('');
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
        <RejectDialog
          title={title}
          open={open}
          onOpenChange={setOpen}
          reason={reason}
          onReasonChange={setReason}
          error={open ? error : null}
          pending={pending}
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
        />
      </div>
      {error && !open ? (
        <p role="alert" className="text-xs text-destructive">
          {error}
        </p>
      ) : null}
    </div>
  );
}
