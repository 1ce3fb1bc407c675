'use client';

import { useId } from 'react';
import { X } from 'lucide-react';
import { Button, Label, Textarea } from '@afenda/ui';
import { ActionDialog } from '@afenda/ui/action-dialog';

/** Reject, with the reason the requester will read: the button and its dialog. */
export function RejectDialog({
  title,
  where,
  open,
  onOpenChange,
  reason,
  onReasonChange,
  error,
  pending,
  onSubmit,
}: {
  /** The request's title, in the labels and the question. */
  title: string;
  /** Where the button is, in its name ("from the preview"). */
  where?: string;
  open: boolean;
  onOpenChange: (open: boolean) => void;
  reason: string;
  onReasonChange: (reason: string) => void;
  error: string | null;
  pending: boolean;
  onSubmit: () => void;
}) {
  const reasonId = useId();
  return (
    <ActionDialog
      open={open}
      onOpenChange={onOpenChange}
      trigger={
        <Button
          size="sm"
          variant="outline"
          disabled={pending}
          aria-label={where ? `Reject ${where}: ${title}` : `Reject: ${title}`}
        >
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
      error={error}
      pending={pending}
      submitLabel="Reject"
      submitVariant="destructive"
      canSubmit={Boolean(reason.trim())}
      onSubmit={onSubmit}
    >
      <div className="grid gap-2">
        <Label htmlFor={reasonId}>Reason</Label>
        <Textarea
          id={reasonId}
          value={reason}
          onChange={(e) => onReasonChange(e.target.value)}
          required
          maxLength={2000}
          placeholder="Why not?"
        />
      </div>
    </ActionDialog>
  );
}
