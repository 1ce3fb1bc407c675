'use client';

import { cn } from '@afenda/ui';

import { useLiveStatus } from './live-provider';

const TEXT = {
  live: 'Live: updates arrive as they happen',
  connecting: 'Connecting to live updates…',
  offline: 'Live updates unavailable: refreshing every few seconds',
} as const;

/** A dot in the top bar: whether updates arrive live or by the polling backstop. */
export function LiveIndicator() {
  const status = useLiveStatus();
  return (
    <span
      role="status"
      title={TEXT[status]}
      data-testid="live-status"
      data-state={status}
      className="hidden items-center px-1 sm:flex"
    >
      <span
        aria-hidden
        className={cn(
          'size-2 rounded-full',
          status === 'live'
            ? 'bg-emerald-500'
            : status === 'connecting'
              ? 'bg-amber-400'
              : 'bg-muted-foreground/50',
        )}
      />
      <span className="sr-only">{TEXT[status]}</span>
    </span>
  );
}
