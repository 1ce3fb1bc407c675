'use client';

import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useState, useTransition } from 'react';
import { Bell, Check, CheckCheck, ExternalLink, LoaderCircle } from 'lucide-react';
import type { Notification } from '@afenda/contracts';
import { Button } from '@afenda/ui';
import { Popover, PopoverContent, PopoverTrigger } from '@afenda/ui/popover';

import { loginPath } from '@/lib/auth/paths';
import { shellPath } from '@/lib/shell-path';
import { approveAction } from '../approvals/actions';
import { loadBellAction, markReadAction } from '../notifications/actions';
import { useLiveEvent } from './live-provider';

type Row = Notification & {
  /** This approval's idempotency key: Approve again after a failure is recorded once. */
  key: string;
  outcome?: string;
  error?: string;
};
const row = (n: Notification): Row => ({ ...n, key: crypto.randomUUID() });

/**
 * The bell in the top bar: the unread count from the server, plus each unread notification the
 * live stream brings (and minus each the server resolved). The layout remounts it (key) when the
 * server's count changes. It opens a preview of the latest unread, each with Open and Mark read,
 * and Approve for an approval waiting for the user.
 */
export function NotificationBell({ initialCount }: { initialCount: number | null }) {
  const router = useRouter();
  const [count, setCount] = useState(initialCount);
  const [open, setOpen] = useState(false);
  const [rows, setRows] = useState<Row[] | null>(null);
  const [failed, setFailed] = useState<string | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [loading, startLoading] = useTransition();

  useLiveEvent<Notification>('notification', (n) => {
    // A new one counts; one the server resolved (e.g. "approval requested", decided by anyone)
    // comes again, read, and counts off.
    setCount((c) => (n.readAt ? Math.max(0, (c ?? 0) - 1) : (c ?? 0) + 1));
    setRows((list) =>
      list === null
        ? list
        : n.readAt
          ? list.map((r) =>
              r.id === n.id ? { ...r, readAt: n.readAt, outcome: r.outcome ?? 'Decided: done' } : r,
            )
          : [row(n), ...list.filter((r) => r.id !== n.id)].slice(0, 8),
    );
  });

  const reload = () =>
    startLoading(async () => {
      setFailed(null);
      const result = await loadBellAction();
      if (result.ok) setRows(result.data.map(row));
      else if (result.signedOut) window.location.assign(loginPath(window.location.pathname));
      else setFailed(result.message);
    });

  const patch = (id: string, p: Partial<Row>) =>
    setRows((list) => list?.map((r) => (r.id === id ? { ...r, ...p } : r)) ?? list);

  const markRead = async (n: Row) => {
    setBusy(n.id);
    const result = await markReadAction(n.id);
    setBusy(null);
    if (!result.ok) return patch(n.id, { error: result.message });
    setCount((c) => Math.max(0, (c ?? 0) - 1));
    setRows((list) => list?.filter((r) => r.id !== n.id) ?? list);
  };

  const approve = async (n: Row) => {
    setBusy(n.id);
    const result = await approveAction(n.subjectId, n.key);
    setBusy(null);
    if (!result.ok) return patch(n.id, { error: result.message });
    patch(n.id, { outcome: 'Approved: recorded', error: undefined });
    router.refresh();
  };

  const unread = count ?? 0;
  const label =
    count === null ? 'Notifications' : `Notifications, ${unread === 0 ? 'none' : unread} unread`;
  return (
    <Popover
      open={open}
      onOpenChange={(next) => {
        setOpen(next);
        if (next) reload();
      }}
    >
      <PopoverTrigger asChild>
        <Button
          variant="ghost"
          size="icon-sm"
          className="relative"
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
        </Button>
      </PopoverTrigger>
      <PopoverContent
        align="end"
        className="w-[min(24rem,calc(100vw-1rem))] p-0"
        data-testid="notification-popover"
        aria-label="Unread notifications"
      >
        <div className="flex items-center justify-between border-b px-3 py-2">
          <p className="text-sm font-medium">Unread</p>
          {loading ? <LoaderCircle aria-hidden className="size-4 animate-spin" /> : null}
        </div>
        {failed ? (
          <div className="space-y-2 p-3 text-sm">
            <p role="alert" className="text-destructive">
              {failed}
            </p>
            <Button size="sm" variant="outline" onClick={reload}>
              Retry
            </Button>
          </div>
        ) : rows === null ? (
          <p className="p-3 text-sm text-muted-foreground">Loading…</p>
        ) : rows.length === 0 ? (
          <p className="p-3 text-sm text-muted-foreground">
            <CheckCheck aria-hidden className="mr-1 inline size-4" />
            Nothing unread.
          </p>
        ) : (
          <ul className="max-h-96 divide-y overflow-y-auto" data-testid="notification-preview">
            {rows.map((n) => {
              const path = shellPath(n.url);
              const approvable = n.kind === 'approval.submitted' && !n.outcome;
              return (
                <li key={n.id} className="space-y-2 p-3" data-notification-id={n.id}>
                  <p className="text-sm font-medium break-words">{n.title}</p>
                  {n.body ? (
                    <p className="line-clamp-2 text-xs break-words text-muted-foreground">
                      {n.body}
                    </p>
                  ) : null}
                  {n.outcome ? (
                    <p
                      role="status"
                      className="text-xs font-medium text-emerald-700 dark:text-emerald-400"
                    >
                      {n.outcome}
                    </p>
                  ) : null}
                  {n.error ? (
                    <p role="alert" className="text-xs text-destructive">
                      {n.error}
                    </p>
                  ) : null}
                  <div className="flex flex-wrap gap-2">
                    {approvable ? (
                      <Button
                        size="sm"
                        disabled={busy === n.id}
                        onClick={() => void approve(n)}
                        aria-label={`Approve: ${n.title}`}
                      >
                        <Check aria-hidden />
                        Approve
                      </Button>
                    ) : null}
                    {path ? (
                      <Button size="sm" variant="outline" asChild>
                        <Link
                          href={path}
                          onClick={() => {
                            setOpen(false);
                            if (!n.outcome) void markRead(n);
                          }}
                          aria-label={`Open: ${n.title}`}
                        >
                          <ExternalLink aria-hidden />
                          Open
                        </Link>
                      </Button>
                    ) : null}
                    {!n.outcome ? (
                      <Button
                        size="sm"
                        variant="ghost"
                        disabled={busy === n.id}
                        onClick={() => void markRead(n)}
                        aria-label={`Mark read: ${n.title}`}
                      >
                        Mark read
                      </Button>
                    ) : null}
                  </div>
                </li>
              );
            })}
          </ul>
        )}
        <div className="border-t px-3 py-2">
          <Link
            href="/app/notifications"
            className="text-sm underline underline-offset-4"
            onClick={() => setOpen(false)}
          >
            All notifications
          </Link>
        </div>
      </PopoverContent>
    </Popover>
  );
}
