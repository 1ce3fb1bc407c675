'use client';

import { useId, useState } from 'react';
import { useRouter } from 'next/navigation';
import { Cable, CircleCheck, CircleX, LoaderCircle } from 'lucide-react';
import { Button, Input, Label } from '@afenda/ui';
import { useServerAction } from '@afenda/ui/action-dialog';
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
import type { ChatwootConnection } from '@/lib/api/modules';
import { connectChatwootAction } from '../actions';

const STEP_LABEL: Record<ChatwootConnection['steps'][number]['step'], string> = {
  token: 'The token, on the account',
  webhook: 'The webhook, with a fresh secret',
  settings: 'The settings, stored encrypted',
  'dashboard-app': 'The Dashboard App beside each conversation',
  'round-trip': 'A test note, and its signed webhook back',
};

/** Connect Chatwoot in one step: the address, an administrator's token, the account. */
export function ConnectChatwootDialog({
  baseUrl,
  accountId,
}: {
  baseUrl: string | null;
  accountId: number | null;
}) {
  const router = useRouter();
  const [open, setOpen] = useState(false);
  const [form, setForm] = useState({
    baseUrl: baseUrl ?? '',
    apiToken: '',
    accountId: accountId ? String(accountId) : '',
  });
  const [result, setResult] = useState<ChatwootConnection | null>(null);
  const { pending, error, run } = useServerAction(() => loginPath(window.location.pathname));
  const ids = { baseUrl: useId(), apiToken: useId(), accountId: useId() };
  return (
    <Dialog
      open={open}
      onOpenChange={(o) => {
        setOpen(o);
        if (o) setResult(null);
      }}
    >
      <DialogTrigger asChild>
        <Button size="sm">
          <Cable aria-hidden />
          Connect Chatwoot
        </Button>
      </DialogTrigger>
      <DialogContent className="max-h-[90dvh] overflow-y-auto">
        <form
          className="grid gap-3"
          onSubmit={(event) => {
            event.preventDefault();
            setResult(null);
            run(
              () => connectChatwootAction(form),
              (r) => {
                setResult(r);
                setForm((f) => ({ ...f, apiToken: '' }));
                router.refresh();
              },
            );
          }}
        >
          <DialogHeader>
            <DialogTitle>Connect Chatwoot</DialogTitle>
            <DialogDescription>
              One step: the account webhook with a fresh secret, the settings, the Dashboard App,
              and a test note whose signed webhook must come back. Run it again at any time.
            </DialogDescription>
          </DialogHeader>
          <div className="grid gap-1.5">
            <Label htmlFor={ids.baseUrl}>Chatwoot’s address</Label>
            <Input
              id={ids.baseUrl}
              type="url"
              required
              value={form.baseUrl}
              onChange={(e) => setForm({ ...form, baseUrl: e.target.value })}
              placeholder="https://chat.example.com"
            />
          </div>
          <div className="grid gap-1.5">
            <Label htmlFor={ids.apiToken}>Access token of a Chatwoot administrator</Label>
            <Input
              id={ids.apiToken}
              type="password"
              autoComplete="off"
              required
              value={form.apiToken}
              onChange={(e) => setForm({ ...form, apiToken: e.target.value })}
              aria-describedby={`${ids.apiToken}-hint`}
            />
            <p id={`${ids.apiToken}-hint`} className="text-xs text-muted-foreground">
              Chatwoot: Profile settings → Access token. Stored encrypted, never shown again.
            </p>
          </div>
          <div className="grid gap-1.5">
            <Label htmlFor={ids.accountId}>Account id</Label>
            <Input
              id={ids.accountId}
              inputMode="numeric"
              required
              value={form.accountId}
              onChange={(e) => setForm({ ...form, accountId: e.target.value })}
              placeholder="1"
            />
          </div>
          <div
            aria-live="polite"
            className="grid gap-2 text-sm"
            data-testid="chatwoot-connect-result"
          >
            {pending ? (
              <p className="text-muted-foreground">
                Connecting… (up to 10 s while the test note comes back)
              </p>
            ) : error ? (
              <p role="alert" className="text-destructive">
                {error}
              </p>
            ) : result ? (
              <>
                <p
                  className={
                    result.ok
                      ? 'font-medium text-emerald-700 dark:text-emerald-400'
                      : 'font-medium text-destructive'
                  }
                >
                  {result.ok ? 'Connected.' : 'Not connected yet.'}
                </p>
                <ol className="grid gap-1.5">
                  {result.steps.map((s) => (
                    <li key={s.step} className="flex items-start gap-2">
                      {s.ok ? (
                        <CircleCheck
                          aria-hidden
                          className="mt-0.5 size-4 shrink-0 text-emerald-700 dark:text-emerald-400"
                        />
                      ) : (
                        <CircleX aria-hidden className="mt-0.5 size-4 shrink-0 text-destructive" />
                      )}
                      <span className="min-w-0 break-words">
                        <span className="font-medium">{STEP_LABEL[s.step]}</span>
                        <span className="sr-only">{s.ok ? ' (done)' : ' (failed)'}</span>:{' '}
                        {s.detail}
                      </span>
                    </li>
                  ))}
                </ol>
              </>
            ) : null}
          </div>
          <DialogFooter>
            <DialogClose asChild>
              <Button type="button" variant="outline">
                Close
              </Button>
            </DialogClose>
            <Button type="submit" disabled={pending}>
              {pending ? <LoaderCircle aria-hidden className="animate-spin" /> : null}
              {result && !result.ok ? 'Try again' : 'Connect'}
            </Button>
          </DialogFooter>
        </form>
      </DialogContent>
    </Dialog>
  );
}
