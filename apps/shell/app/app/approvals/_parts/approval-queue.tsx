'use client';

import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { type ReactNode, useCallback, useEffect, useRef, useState } from 'react';
import { Check, CircleAlert, LoaderCircle, RotateCcw, Undo2 } from 'lucide-react';
import { Badge, Button, formatExact, Time } from '@afenda/ui';

import { loginPath } from '@/lib/auth/paths';
import type { ActionResult } from '@/lib/load';
import { approveAction, rejectAction } from '../actions';
import { QueueKeys } from './queue-keys';
import { RejectDialog } from './reject-dialog';

/** One request waiting for the caller's decision, with what she needs to decide it. */
export interface QueueItem {
  id: string;
  title: string;
  /** The requester's name ("someone" when unknown). */
  requester: string;
  /** The requester's note (an agent's words on an escalation). */
  note: string | null;
  /** The customer's last message, for an escalated conversation. */
  customerSays: string | null;
  /** When it was submitted (ISO). */
  since: string;
  /** "CEO approval · from the inbox". */
  kind: string;
  /** An escalation's details: its category, the money at stake, how urgent, decide by when. */
  category: 'refund' | 'discount' | 'exception' | 'other' | null;
  /** Formatted, e.g. "€120.50". */
  amount: string | null;
  urgency: 'low' | 'normal' | 'high' | 'urgent' | null;
  dueAt: string | null;
}

type Decision = 'approved' | 'rejected';
type Phase = 'undo' | 'saving' | 'recorded' | 'failed';
interface Decided {
  item: QueueItem;
  /** Where the row was when decided: it stays there (nothing moves under the pointer). */
  index: number;
  decision: Decision;
  reason: string;
  /** One key per decision: a retry is the same request, recorded once. */
  key: string;
  phase: Phase;
  error?: string;
}

const LABEL: Record<Decision, string> = { approved: 'Approved', rejected: 'Rejected' };

/**
 * The "Waiting for me" queue. A decision is a delayed commit: the row is marked in place at once
 * with Undo, and the decision is sent when the window closes (docs/approvals.md says why). The
 * row stays where it was after it is recorded; failures are shown on the row with Retry.
 */
export function ApprovalQueue({
  items,
  undoMs,
  empty,
}: {
  items: QueueItem[];
  undoMs: number;
  /** Shown when nothing waits and nothing was decided here. */
  empty: ReactNode;
}) {
  const router = useRouter();
  const [decided, setDecided] = useState<Map<string, Decided>>(new Map());
  const timers = useRef(new Map<string, ReturnType<typeof setTimeout>>());
  const listRef = useRef<HTMLUListElement>(null);
  const [selected, setSelected] = useState<string | null>(items[0]?.id ?? null);
  const latest = useRef(decided);
  latest.current = decided;

  const update = useCallback((id: string, patch: Partial<Decided> | null) => {
    setDecided((prev) => {
      const next = new Map(prev);
      const current = next.get(id);
      if (patch === null) next.delete(id);
      else if (current) next.set(id, { ...current, ...patch });
      return next;
    });
  }, []);

  const commit = useCallback(
    async (d: Decided) => {
      timers.current.delete(d.item.id);
      update(d.item.id, { phase: 'saving', error: undefined });
      let result: ActionResult<void>;
      try {
        result =
          d.decision === 'approved'
            ? await approveAction(d.item.id, d.key)
            : await rejectAction(d.item.id, d.reason, d.key);
      } catch {
        // The browser's request to the Shell failed: it may or may not have reached the server.
        result = {
          ok: false,
          message:
            'The connection dropped: it may or may not be recorded. Retry is safe: it is recorded once.',
        };
      }
      if (result.ok) {
        update(d.item.id, { phase: 'recorded' });
        router.refresh();
      } else if ('signedOut' in result && result.signedOut) {
        window.location.assign(loginPath(window.location.pathname));
      } else {
        update(d.item.id, { phase: 'failed', error: result.message });
      }
    },
    [router, update],
  );

  // Leaving the page within the window (in the Shell) sends what was decided.
  useEffect(() => {
    const pending = timers.current;
    return () => {
      for (const [id, timer] of pending) {
        clearTimeout(timer);
        const d = latest.current.get(id);
        if (d) void commit(d);
      }
      pending.clear();
    };
  }, [commit]);

  const rows: { item: QueueItem; decided?: Decided }[] = items
    .filter((i) => !decided.has(i.id))
    .map((item) => ({ item }));
  for (const d of [...decided.values()].sort((a, b) => a.index - b.index)) {
    rows.splice(Math.min(d.index, rows.length), 0, { item: d.item, decided: d });
  }

  const decide = (item: QueueItem, decision: Decision, reason = '') => {
    const index = rows.findIndex((r) => r.item.id === item.id);
    const d: Decided = {
      item,
      index,
      decision,
      reason,
      key: crypto.randomUUID(),
      phase: 'undo',
    };
    setDecided((prev) => new Map(prev).set(item.id, d));
    timers.current.set(
      item.id,
      setTimeout(() => void commit(d), undoMs),
    );
  };

  const undo = (id: string) => {
    clearTimeout(timers.current.get(id));
    timers.current.delete(id);
    update(id, null);
  };

  if (rows.length === 0) return empty;
  return (
    <>
      <p className="mb-2 hidden text-xs text-muted-foreground sm:block">
        Keys: <kbd>j</kbd>/<kbd>k</kbd> select, <kbd>a</kbd> approve, <kbd>r</kbd> reject,{' '}
        <kbd>?</kbd> all keys.
      </p>
      <QueueKeys list={listRef} onSelect={setSelected} />
      <div className="grid gap-4 lg:grid-cols-[minmax(0,1fr)_minmax(0,22rem)] lg:items-start">
        <ul
          ref={listRef}
          className="min-w-0 divide-y rounded-lg border"
          data-testid="approval-list"
        >
          {rows.map(({ item, decided: d }) => (
            <li
              key={item.id}
              data-previewed={selected === item.id ? 'true' : undefined}
              onClick={(event) => {
                // A click on the row (not on its link or buttons) shows it in the preview.
                if (!(event.target as HTMLElement).closest('a, button')) setSelected(item.id);
              }}
              className="flex flex-col gap-3 p-4 data-[previewed=true]:bg-muted/50 data-[selected=true]:bg-accent/60 data-[selected=true]:shadow-[inset_3px_0_0_var(--ring)] sm:flex-row sm:items-start"
              data-approval-id={item.id}
              data-decided={d?.phase}
            >
              <QueueItemText item={item} muted={Boolean(d)} />
              {d ? (
                <DecidedState
                  d={d}
                  undoSeconds={Math.round(undoMs / 1000)}
                  onUndo={() => undo(item.id)}
                  onRetry={() => void commit(d)}
                />
              ) : (
                <QueueButtons
                  item={item}
                  onDecide={(decision, reason) => decide(item, decision, reason)}
                />
              )}
            </li>
          ))}
        </ul>
        {(() => {
          const row = rows.find((r) => r.item.id === selected) ?? rows[0];
          return (
            <Preview
              item={row?.item ?? null}
              decided={row?.decided}
              undoSeconds={Math.round(undoMs / 1000)}
              onDecide={(decision, reason) => row && decide(row.item, decision, reason)}
              onUndo={() => row && undo(row.item.id)}
              onRetry={() => row?.decided && void commit(row.decided)}
            />
          );
        })()}
      </div>
    </>
  );
}

function QueueItemText({ item, muted }: { item: QueueItem; muted: boolean }) {
  return (
    <div className={`min-w-0 flex-1 space-y-1 ${muted ? 'opacity-70' : ''}`}>
      <Link
        href={`/app/approvals/${item.id}`}
        className="min-w-0 font-medium break-words underline-offset-4 outline-none hover:underline focus-visible:ring-[3px] focus-visible:ring-ring/50"
      >
        {item.title}
      </Link>
      <p className="text-xs text-muted-foreground">
        {item.requester} · {item.kind} · waiting <WaitingFor since={item.since} />
      </p>
      <EscalationDetails item={item} />
      {item.note ? (
        <p className="line-clamp-2 text-sm break-words" data-testid="queue-note">
          <span className="text-muted-foreground">Note: </span>
          {item.note}
        </p>
      ) : null}
      {item.customerSays ? (
        <p
          className="line-clamp-2 text-sm break-words text-muted-foreground"
          data-testid="queue-customer"
        >
          <span>Customer: </span>“{item.customerSays}”
        </p>
      ) : null}
    </div>
  );
}

const URGENCY_BADGE: Record<
  NonNullable<QueueItem['urgency']>,
  { label: string; variant: 'destructive' | 'warning' | 'outline' | 'secondary' }
> = {
  urgent: { label: 'Urgent', variant: 'destructive' },
  high: { label: 'High urgency', variant: 'warning' },
  normal: { label: 'Normal', variant: 'outline' },
  low: { label: 'Low urgency', variant: 'secondary' },
};
const CATEGORY: Record<NonNullable<QueueItem['category']>, string> = {
  refund: 'Refund',
  discount: 'Discount',
  exception: 'Exception',
  other: 'Other',
};

/** An escalation's kind, money, urgency and due date, as chips; nothing for plain requests. */
export function EscalationDetails({
  item,
}: {
  item: Pick<QueueItem, 'urgency' | 'category' | 'amount' | 'dueAt'>;
}) {
  const urgent = item.urgency && item.urgency !== 'normal' ? URGENCY_BADGE[item.urgency] : null;
  if (!urgent && !item.category && !item.amount && !item.dueAt) return null;
  return (
    <p className="flex flex-wrap items-center gap-1.5 text-xs" data-testid="queue-details">
      {urgent ? <Badge variant={urgent.variant}>{urgent.label}</Badge> : null}
      {item.category ? <Badge variant="outline">{CATEGORY[item.category]}</Badge> : null}
      {item.amount ? (
        <span className="font-medium tabular-nums" data-testid="queue-amount">
          {item.amount}
        </span>
      ) : null}
      {item.dueAt ? (
        <span className="text-muted-foreground">
          · <Time iso={item.dueAt} prefix="decide by" />
        </span>
      ) : null}
    </p>
  );
}

/**
 * The selected request in full, beside the list (wide screens): read everything and decide
 * without leaving the queue. On narrow screens each row already carries the same, clamped, and
 * its title opens the request.
 */
function Preview({
  item,
  decided,
  undoSeconds,
  onDecide,
  onUndo,
  onRetry,
}: {
  item: QueueItem | null;
  decided?: Decided;
  undoSeconds: number;
  onDecide: (decision: Decision, reason?: string) => void;
  onUndo: () => void;
  onRetry: () => void;
}) {
  return (
    <aside
      aria-label="Preview"
      data-testid="approval-preview"
      className="sticky top-4 hidden max-h-[calc(100dvh-2rem)] min-w-0 overflow-y-auto rounded-lg border p-4 lg:block"
    >
      {item ? (
        <div className="space-y-3">
          <div className="space-y-1">
            <h2 className="font-medium break-words">{item.title}</h2>
            <p className="text-xs text-muted-foreground">
              {item.requester} · {item.kind} · waiting <WaitingFor since={item.since} />
            </p>
          </div>
          <EscalationDetails item={item} />
          {item.note ? (
            <div className="space-y-1">
              <h3 className="text-xs font-medium text-muted-foreground">Note</h3>
              <p className="text-sm break-words whitespace-pre-line">{item.note}</p>
            </div>
          ) : null}
          {item.customerSays ? (
            <div className="space-y-1">
              <h3 className="text-xs font-medium text-muted-foreground">The customer wrote</h3>
              <blockquote className="border-l-2 pl-3 text-sm break-words whitespace-pre-line">
                {item.customerSays}
              </blockquote>
            </div>
          ) : null}
          <div className="flex flex-wrap items-center gap-2 border-t pt-3">
            {decided ? (
              <DecidedState
                d={decided}
                undoSeconds={undoSeconds}
                onUndo={onUndo}
                onRetry={onRetry}
                where="from the preview"
              />
            ) : (
              <QueueButtons item={item} onDecide={onDecide} label="from the preview" />
            )}
            <Link
              href={`/app/approvals/${item.id}`}
              className="text-sm underline-offset-4 hover:underline"
            >
              Open the request
            </Link>
          </div>
        </div>
      ) : (
        <p className="text-sm text-muted-foreground">
          Select a request (click it, or <kbd>j</kbd>/<kbd>k</kbd>) to read it here.
        </p>
      )}
    </aside>
  );
}

/** "12 min", with the exact time on hover. */
function WaitingFor({ since }: { since: string }) {
  const [now, setNow] = useState<number | null>(null);
  useEffect(() => {
    setNow(Date.now());
    const t = setInterval(() => setNow(Date.now()), 30_000);
    return () => clearInterval(t);
  }, []);
  const date = new Date(since);
  const minutes = now === null ? null : Math.max(0, Math.floor((now - date.getTime()) / 60_000));
  const text =
    minutes === null
      ? '…'
      : minutes < 1
        ? 'under a minute'
        : minutes < 60
          ? `${minutes} min`
          : minutes < 48 * 60
            ? `${Math.floor(minutes / 60)} h ${minutes % 60} min`
            : `${Math.floor(minutes / 1440)} days`;
  return (
    <time
      dateTime={since}
      title={formatExact(since, Intl.DateTimeFormat().resolvedOptions().timeZone)}
      suppressHydrationWarning
    >
      {text}
    </time>
  );
}

function QueueButtons({
  item,
  onDecide,
  label,
}: {
  item: QueueItem;
  /** Where the buttons are, for their names ("from the preview"): the row's are plain. */
  label?: string;
  onDecide: (decision: Decision, reason?: string) => void;
}) {
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState('');
  return (
    <div className="flex gap-2">
      <Button
        size="sm"
        onClick={() => onDecide('approved')}
        aria-label={label ? `Approve ${label}: ${item.title}` : `Approve: ${item.title}`}
      >
        <Check aria-hidden />
        Approve
      </Button>
      <RejectDialog
        title={item.title}
        where={label}
        open={open}
        onOpenChange={setOpen}
        reason={reason}
        onReasonChange={setReason}
        error={null}
        pending={false}
        onSubmit={() => {
          setOpen(false);
          onDecide('rejected', reason.trim());
          setReason('');
        }}
      />
    </div>
  );
}

function DecidedState({
  d,
  undoSeconds,
  onUndo,
  onRetry,
  where,
}: {
  d: Decided;
  /** Where it is shown, in its buttons' names ("from the preview"): the row's are plain. */
  where?: string;
  undoSeconds: number;
  onUndo: () => void;
  onRetry: () => void;
}) {
  const badge = (
    <Badge variant={d.decision === 'approved' ? 'success' : 'destructive'} data-status={d.decision}>
      {LABEL[d.decision]}
    </Badge>
  );
  if (d.phase === 'undo') {
    return (
      <div className="flex items-center gap-2" role="status">
        {badge}
        <span className="text-xs text-muted-foreground">sent in {undoSeconds} s</span>
        <Button
          size="sm"
          variant="outline"
          onClick={onUndo}
          aria-label={where ? `Undo ${where}: ${d.item.title}` : `Undo: ${d.item.title}`}
        >
          <Undo2 aria-hidden />
          Undo
        </Button>
      </div>
    );
  }
  if (d.phase === 'saving') {
    return (
      <div className="flex items-center gap-2" role="status">
        {badge}
        <LoaderCircle aria-hidden className="size-4 animate-spin" />
        <span className="text-xs text-muted-foreground">Recording…</span>
      </div>
    );
  }
  if (d.phase === 'recorded') {
    return (
      <div className="flex items-center gap-2" role="status">
        {badge}
        <span className="text-xs text-muted-foreground">Recorded in the ledger</span>
      </div>
    );
  }
  return (
    <div className="flex max-w-sm flex-col items-start gap-2 sm:items-end" data-testid="row-error">
      <p role="alert" className="flex gap-1 text-xs text-destructive">
        <CircleAlert aria-hidden className="size-4 shrink-0" />
        <span>
          {LABEL[d.decision]}: not confirmed. {d.error}
        </span>
      </p>
      <Button
        size="sm"
        variant="outline"
        onClick={onRetry}
        aria-label={where ? `Retry ${where}: ${d.item.title}` : `Retry: ${d.item.title}`}
      >
        <RotateCcw aria-hidden />
        Retry
      </Button>
    </div>
  );
}
