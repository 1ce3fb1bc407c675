'use client';

import { useEffect, useRef, useState, useTransition } from 'react';
import { LoaderCircle } from 'lucide-react';
import type { ActivityEntry } from '@afenda/contracts';
import { Button, Time } from '@afenda/ui';

import { useLiveEvent } from '../_shell/live-provider';
import { loadMoreActivity, type ActivityFilters } from './actions';

/**
 * The timeline: the first page from the server, new entries from the live stream on top, older
 * ones loaded as the end scrolls into view (or with the button, by keyboard).
 */
export function Timeline({
  initial,
  initialCursor,
  filters,
  meId,
}: {
  initial: ActivityEntry[];
  initialCursor: string | null;
  filters: ActivityFilters;
  meId: string;
}) {
  const [entries, setEntries] = useState(initial);
  const [cursor, setCursor] = useState(initialCursor);
  const [error, setError] = useState<string | null>(null);
  const [loading, start] = useTransition();
  const sentinel = useRef<HTMLDivElement>(null);

  useLiveEvent<ActivityEntry>('activity', (entry) => {
    if (filters.type && entry.type !== filters.type) return;
    if (filters.source && entry.source !== filters.source) return;
    setEntries((list) => (list.some((e) => e.id === entry.id) ? list : [entry, ...list]));
  });

  const more = () => {
    if (!cursor || loading) return;
    setError(null);
    start(async () => {
      const result = await loadMoreActivity(filters, cursor);
      if (!result.ok) {
        setError(result.message);
        return;
      }
      setEntries((list) => {
        const seen = new Set(list.map((e) => e.id));
        return [...list, ...result.data.entries.filter((e) => !seen.has(e.id))];
      });
      setCursor(result.data.nextCursor);
    });
  };
  const moreRef = useRef(more);
  useEffect(() => {
    moreRef.current = more;
  });

  useEffect(() => {
    const node = sentinel.current;
    if (!node || !cursor || error) return;
    const observer = new IntersectionObserver(
      (items) => {
        if (items.some((i) => i.isIntersecting)) moreRef.current();
      },
      { rootMargin: '400px' },
    );
    observer.observe(node);
    return () => observer.disconnect();
  }, [cursor, error]);

  if (entries.length === 0) {
    return (
      <p className="rounded-lg border border-dashed px-6 py-12 text-center text-sm text-muted-foreground">
        Nothing has happened here yet
        {filters.type || filters.source ? ' that matches these filters' : ''}. New activity appears
        at once.
      </p>
    );
  }
  return (
    <div>
      <ol
        className="space-y-1"
        data-testid="activity-list"
        aria-live="polite"
        aria-relevant="additions"
      >
        {entries.map((e) => (
          <li
            key={e.id}
            className="flex gap-3 rounded-md px-2 py-2 hover:bg-muted/40"
            data-type={e.type}
          >
            <span aria-hidden className="mt-1.5 size-2 shrink-0 rounded-full bg-primary/70" />
            <div className="min-w-0 flex-1">
              <p className="text-sm break-words">
                <span className="font-medium">{e.title}</span>
                {e.actorId === meId ? (
                  <span className="text-muted-foreground"> · by you</span>
                ) : null}
              </p>
              {e.description ? (
                <p className="text-sm break-words whitespace-pre-wrap text-muted-foreground">
                  {e.description}
                </p>
              ) : null}
              <p className="text-xs text-muted-foreground">
                {e.type} · {e.source} · <Time iso={e.occurredAt} />
              </p>
            </div>
          </li>
        ))}
      </ol>
      <div ref={sentinel} className="flex flex-col items-center gap-2 py-4">
        {error ? (
          <p role="alert" className="text-sm text-destructive">
            {error}
          </p>
        ) : null}
        {cursor ? (
          <Button variant="outline" size="sm" onClick={more} disabled={loading}>
            {loading ? <LoaderCircle aria-hidden className="animate-spin" /> : null}
            {loading ? 'Loading…' : 'Load older'}
          </Button>
        ) : (
          <p className="text-xs text-muted-foreground">The beginning of the timeline.</p>
        )}
      </div>
    </div>
  );
}
