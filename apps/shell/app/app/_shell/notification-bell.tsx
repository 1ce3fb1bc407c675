'use client';

import Link from 'next/link';
import { useState } from 'react';
import { Bell } from 'lucide-react';
import type { Notification } from '@afenda/contracts';
import { Button } from '@afenda/ui';

import { useLiveEvent } from './live-provider';

/**
 * The bell in the top bar: the unread count from the server, plus each unread notification the
 * live stream brings. The layout remounts it (key) when the server's count changes.
 */
export function NotificationBell({ initialCount }: { initialCount: number | null }) {
  const [count, setCount] = useState(initialCount);
  useLiveEvent<Notification>('notification', (n) => {
    // A new one counts; one the server resolved (e.g. "approval requested", decided by anyone)
    // comes again, read, and counts off.
    setCount((c) => (n.readAt ? Math.max(0, (c ?? 0) - 1) : (c ?? 0) + 1));
  });
  const unread = count ?? 0;
  const label =
    count === null ? 'Notifications' : `Notifications, ${unread === 0 ? 'none' : unread} unread`;
  return (
    <Button asChild variant="ghost" size="icon-sm" className="relative">
      <Link
        href="/app/notifications"
        aria-label={label}
        title={label}
        data-testid="notification-bell"
      >
        <Bell aria-hidden />
        {unread > 0 ? (
          <span
            aria-hidden
            data-testid="notification-count"
            className="absolute -top-0.5 -right-0.5 flex h-4 min-w-4 items-center justify-center rounded-full bg-destructive px-1 text-[10px] leading-none font-semibold text-white"
          >
            {unread > 99 ? '99+' : unread}
          </span>
        ) : null}
      </Link>
    </Button>
  );
}
