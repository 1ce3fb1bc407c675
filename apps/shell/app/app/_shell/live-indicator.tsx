'use client';

import { cn } from '@afenda/ui';

import { useLiveStatus } from './live-provider';

const TEXT = {
  live: 'Live: updates arrive as they happen',
  connecting: 'Connecting to live updates…',
  reconnecting: 'Reconnecting: what happens meanwhile arrives once connected',
  offline: 'Not connected: pages refresh every few seconds while the connection is down',
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
            : status === 'offline'
              ? 'bg-muted-foreground/50'
              : 'bg-amber-400 motion-safe:animate-pulse',
        )}
      />
      <span className="sr-only">{TEXT[status]}</span>
    </span>
  );
}
