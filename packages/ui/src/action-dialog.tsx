'use client';

import { useState, useTransition, type ReactNode } from 'react';
import { LoaderCircle } from 'lucide-react';

import { Button, type ButtonProps } from './button';
import {
  Dialog,
  DialogClose,
  DialogContent,
  DialogDescription,
  DialogFooter,
  DialogHeader,
  DialogTitle,
  DialogTrigger,
} from './dialog';
import type { ActionResult } from './results';

/**
 * Runs a server action in a transition: pending while it runs, its message when it fails, and
 * the sign-in page (`signInHref`, with the way back) when the session has ended.
 */
export function useServerAction(signInHref: () => string) {
  const [pending, start] = useTransition();
  const [error, setError] = useState<string | null>(null);
  const run = <T,>(action: () => Promise<ActionResult<T>>, done: (data: T) => void) => {
    setError(null);
    start(async () => {
      let result: ActionResult<T>;
      try {
        result = await action();
      } catch {
        // The browser's request never got its answer (the connection dropped): say so here,
        // beside the control, instead of failing the whole page.
        result = {
          ok: false,
          message:
            'The connection dropped before an answer came: it may or may not have been done. Try again.',
        };
      }
      if (result.ok) done(result.data);
      else if (result.signedOut) window.location.assign(signInHref());
      else setError(result.message);
    });
  };
  return { pending, error, run };
}

/**
 * A button that opens a confirmation form (a title, what happens, the form's fields), and the
 * form's submit button; `error` is shown in the form.
 */
export function ActionDialog({
  open,
  onOpenChange,
  trigger,
  title,
  description,
  children,
  error,
  pending,
  submitLabel,
  submitVariant,
  canSubmit = true,
  onSubmit,
}: {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  trigger: ReactNode;
  title: string;
  description: ReactNode;
  children: ReactNode;
  error: string | null;
  pending: boolean;
  submitLabel: string;
  submitVariant?: ButtonProps['variant'];
  canSubmit?: boolean;
  onSubmit: () => void;
}) {
  return (
    <Dialog open={open} onOpenChange={onOpenChange}>
      <DialogTrigger asChild>{trigger}</DialogTrigger>
      <DialogContent>
        <form
          className="grid gap-4"
          onSubmit={(event) => {
            event.preventDefault();
            onSubmit();
          }}
        >
          <DialogHeader>
            <DialogTitle>{title}</DialogTitle>
            <DialogDescription>{description}</DialogDescription>
          </DialogHeader>
          {children}
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
            <Button type="submit" variant={submitVariant} disabled={pending || !canSubmit}>
              {pending ? <LoaderCircle aria-hidden className="animate-spin" /> : null}
              {submitLabel}
            </Button>
          </DialogFooter>
        </form>
      </DialogContent>
    </Dialog>
  );
}
