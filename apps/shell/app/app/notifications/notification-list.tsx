'use client';

import { useRouter } from 'next/navigation';
import { useState, useTransition } from 'react';
import { Check, CheckCheck } from 'lucide-react';
import type { Notification } from '@afenda/contracts';
import { Button, cn, Time } from '@afenda/ui';

import { shellPath } from '@/lib/shell-path';
import { markAllReadAction, markReadAction } from './actions';

export function NotificationList({ items, unread }: { items: Notification[]; unread: number }) {
  const router = useRouter();
  const [pending, start] = useTransition();
  const [error, setError] = useState<string | null>(null);

  const run = (action: () => Promise<{ ok: boolean; message?: string }>, then?: () => void) => {
    setError(null);
    start(async () => {
      const result = await action();
      if (!result.ok) setError(result.message ?? 'That did not work.');
      else {
        then?.();
        router.refresh();
      }
    });
  };

  const open = (n: Notification) => {
    const path = shellPath(n.url);
    run(
      () => (n.readAt ? Promise.resolve({ ok: true }) : markReadAction(n.id)),
      () => {
        if (path) router.push(path);
      },
    );
  };

  return (
    <div className="space-y-3">
      <div className="flex items-center justify-between gap-2">
        <p className="text-sm text-muted-foreground" aria-live="polite">
          {unread === 0 ? 'All read.' : `${unread} unread`}
        </p>
        <Button
          variant="outline"
          size="sm"
          disabled={pending || unread === 0}
          onClick={() => run(markAllReadAction)}
        >
          <CheckCheck aria-hidden />
          Mark all read
        </Button>
      </div>
      {error ? (
        <p role="alert" className="text-sm text-destructive">
          {error}
        </p>
      ) : null}
      <ul className="divide-y rounded-lg border" data-testid="notification-list">
        {items.map((n) => (
          <li
            key={n.id}
            className={cn('flex items-start gap-3 p-4', !n.readAt && 'bg-muted/40')}
            data-read={n.readAt ? 'true' : 'false'}
          >
            <span
              aria-hidden
              className={cn(
                'mt-1.5 size-2 shrink-0 rounded-full',
                n.readAt ? 'bg-transparent' : 'bg-primary',
              )}
            />
            <div className="min-w-0 flex-1">
              <button
                type="button"
                onClick={() => open(n)}
                className="text-left text-sm font-medium break-words underline-offset-4 outline-none hover:underline focus-visible:ring-[3px] focus-visible:ring-ring/50"
              >
                {n.readAt ? null : <span className="sr-only">Unread: </span>}
                {n.title}
              </button>
              {n.body ? (
                <p className="text-sm break-words whitespace-pre-wrap text-muted-foreground">
                  {n.body}
                </p>
              ) : null}
              <p className="text-xs text-muted-foreground">
                <Time iso={n.createdAt} />
              </p>
            </div>
            {!n.readAt ? (
              <Button
                variant="ghost"
                size="icon-sm"
                disabled={pending}
                aria-label={`Mark read: ${n.title}`}
                title="Mark read"
                onClick={() => run(() => markReadAction(n.id))}
              >
                <Check aria-hidden />
              </Button>
            ) : null}
          </li>
        ))}
      </ul>
    </div>
  );
}
