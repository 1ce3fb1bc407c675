'use client';

import { useRouter } from 'next/navigation';
import { useEffect, useId, useRef, useState } from 'react';
import { LoaderCircle, RefreshCw } from 'lucide-react';
import { Button } from '@afenda/ui';
import { useServerAction } from '@afenda/ui/action-dialog';

import { loginPath } from '@/lib/auth/paths';
import { syncAccessAction } from '../actions';

/** After queuing: read the page again a few times, so the runs show as they finish. */
const REFRESH_AFTER_MS = [1_500, 3_500, 6_000, 10_000, 15_000];

/**
 * "Sync now" for every connected tool, or for one (`tool`). Disabled, with the reason beside it,
 * when there is nothing to run.
 */
export function SyncButton({
  tool,
  disabledReason,
  size = 'sm',
}: {
  tool?: { id: string; name: string };
  disabledReason?: string;
  size?: 'sm' | 'default';
}) {
  const router = useRouter();
  const { pending, error, run } = useServerAction(() => loginPath(window.location.pathname));
  const [queued, setQueued] = useState<{ count: number; refreshing: boolean } | null>(null);
  const timers = useRef<ReturnType<typeof setTimeout>[]>([]);
  const reasonId = useId();
  useEffect(() => () => timers.current.forEach(clearTimeout), []);

  const sync = () =>
    run(
      () => syncAccessAction(tool?.id),
      ({ queued: count }) => {
        timers.current.forEach(clearTimeout);
        setQueued({ count, refreshing: count > 0 });
        router.refresh();
        timers.current = REFRESH_AFTER_MS.map((ms, i) =>
          setTimeout(() => {
            router.refresh();
            if (i === REFRESH_AFTER_MS.length - 1)
              setQueued((q) => (q ? { ...q, refreshing: false } : q));
          }, ms),
        );
      },
    );

  const label = tool ? `Sync ${tool.name} now` : 'Sync now';
  return (
    <div className="flex flex-col items-start gap-1" data-testid="access-sync">
      <Button
        size={size}
        variant={tool ? 'outline' : 'default'}
        onClick={sync}
        disabled={pending || Boolean(disabledReason)}
        aria-describedby={disabledReason ? reasonId : undefined}
      >
        {pending ? (
          <LoaderCircle aria-hidden className="animate-spin" />
        ) : (
          <RefreshCw aria-hidden />
        )}
        {label}
      </Button>
      {disabledReason ? (
        <p id={reasonId} className="text-xs text-muted-foreground">
          {disabledReason}
        </p>
      ) : null}
      <p role="status" className="text-xs text-muted-foreground" data-testid="access-sync-status">
        {pending
          ? 'Queuing…'
          : queued
            ? queued.count === 0
              ? 'Nothing was queued: no connected tool to run.'
              : `Queued ${queued.count} ${queued.count === 1 ? 'run' : 'runs'}${queued.refreshing ? ' · refreshing as they finish…' : '; each tool’s last run is shown on its card.'}`
            : null}
      </p>
      {error ? (
        <p role="alert" className="text-xs text-destructive">
          {error}
        </p>
      ) : null}
    </div>
  );
}
