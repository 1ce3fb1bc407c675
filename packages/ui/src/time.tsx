'use client';

import { createContext, useContext, useEffect, useState, type ReactNode } from 'react';

import { formatExact, formatTime, relativeTime, TZ_COOKIE, validTimeZone } from './time-format';

/**
 * One way to show a time everywhere: relative while it is recent ("5 min ago", "in 2 h",
 * "3 days ago"), the date beyond a week ("13 Jul 2026" or "13 Jul" this year), always in the
 * reader's time zone, with the exact time and zone on hover ("Monday, 13 July 2026 at 12:05 CEST")
 * and the instant for machines (`dateTime`).
 *
 * The reader's zone: the browser's. TimeProvider (in the signed-in layout) starts from the `tz`
 * cookie the server read (UTC until the browser has told us), then writes the browser's zone
 * into that cookie, so the next page is rendered in it from the start.
 */
const TimeContext = createContext<{ timeZone: string; now: number } | null>(null);

/** The reader's time zone and a clock that moves each half minute, for every Time below. */
export function TimeProvider({
  timeZone: fromCookie,
  children,
}: {
  timeZone: string | undefined;
  children: ReactNode;
}) {
  const [timeZone, setTimeZone] = useState(() => validTimeZone(fromCookie));
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const browser = validTimeZone(Intl.DateTimeFormat().resolvedOptions().timeZone);
    if (browser !== fromCookie) {
      document.cookie = `${TZ_COOKIE}=${encodeURIComponent(browser)}; path=/; max-age=31536000; samesite=lax`;
      setTimeZone(browser);
    }
    setNow(Date.now());
    const timer = setInterval(() => setNow(Date.now()), 30_000);
    return () => clearInterval(timer);
  }, [fromCookie]);
  return <TimeContext value={{ timeZone, now }}>{children}</TimeContext>;
}

/** The reader's zone and now (UTC and this moment outside a TimeProvider). */
function useTime(): { timeZone: string; now: number } {
  const context = useContext(TimeContext);
  const [fallback] = useState(() => ({ timeZone: 'UTC', now: Date.now() }));
  return context ?? fallback;
}

/** A time as people read it (see above); `prefix` for "Expires in 2 h". */
export function Time({
  iso,
  prefix,
  className,
}: {
  iso: string;
  prefix?: string;
  className?: string;
}) {
  const { timeZone, now } = useTime();
  const text = formatTime(iso, now, timeZone);
  return (
    // The server's clock and the browser's differ by the request's time: the text may too.
    <time
      dateTime={iso}
      title={formatExact(iso, timeZone)}
      className={className}
      suppressHydrationWarning
    >
      {prefix ? `${prefix} ${text}` : text}
    </time>
  );
}

/** Always relative ("in 1 h 20 min", "5 min ago"), whatever the distance: countdowns, expiries. */
export function RelativeTime({
  iso,
  prefix,
  className,
}: {
  iso: string;
  /** Ignored: the provider's clock is used (kept so callers need not change). */
  now?: number;
  prefix?: string;
  className?: string;
}) {
  const { timeZone, now } = useTime();
  const text = relativeTime(iso, now);
  return (
    <time
      dateTime={iso}
      title={formatExact(iso, timeZone)}
      className={className}
      suppressHydrationWarning
    >
      {prefix ? `${prefix} ${text}` : text}
    </time>
  );
}
