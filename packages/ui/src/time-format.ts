/** Formatting times as people read them (server and client alike); Time (time.tsx) shows them. */
export const TZ_COOKIE = 'tz';
const WEEK_MS = 7 * 24 * 3600_000;

/** A time zone name the platform knows, or UTC. */
export function validTimeZone(zone: string | undefined | null): string {
  if (!zone) return 'UTC';
  try {
    new Intl.DateTimeFormat('en-GB', { timeZone: zone });
    return zone;
  } catch {
    return 'UTC';
  }
}

/** "Monday, 13 July 2026 at 12:05 CEST": the exact time, in `timeZone`. */
export function formatExact(iso: string, timeZone = 'UTC'): string {
  return new Intl.DateTimeFormat('en-GB', {
    weekday: 'long',
    day: 'numeric',
    month: 'long',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    timeZoneName: 'short',
    timeZone: validTimeZone(timeZone),
  }).format(new Date(iso));
}

/** "13 Jul 2026, 10:00 UTC": the exact time in UTC (logs, exports). */
export const formatUtc = (iso: string) =>
  `${new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' }).format(new Date(iso))} UTC`;

/** "in 1 h 20 min", "5 min ago", "3 days ago": short; the exact time is in the title. */
export function relativeTime(iso: string, now: number): string {
  const ms = new Date(iso).getTime() - now;
  // Two clocks (the orchestrator's, the Shell's) a moment apart: a time just behind is past.
  if (Math.abs(ms) < 60_000) return ms < 5_000 ? 'less than a minute ago' : 'in less than a minute';
  const minutes = Math.round(ms / 60_000);
  const abs = Math.abs(minutes);
  const span =
    abs < 60
      ? `${abs} min`
      : abs < 48 * 60
        ? `${Math.floor(abs / 60)} h${abs % 60 ? ` ${abs % 60} min` : ''}`
        : `${Math.floor(abs / (24 * 60))} days`;
  return minutes >= 0 ? `in ${span}` : `${span} ago`;
}

/** What a time shows: relative within a week of `now`, else its date in `timeZone`. */
export function formatTime(iso: string, now: number, timeZone = 'UTC'): string {
  const at = new Date(iso).getTime();
  if (Math.abs(at - now) < WEEK_MS) return relativeTime(iso, now);
  const zone = validTimeZone(timeZone);
  const year = (t: number) =>
    new Intl.DateTimeFormat('en-GB', { year: 'numeric', timeZone: zone }).format(t);
  return new Intl.DateTimeFormat('en-GB', {
    day: 'numeric',
    month: 'short',
    ...(year(at) === year(now) ? {} : { year: 'numeric' }),
    timeZone: zone,
  }).format(at);
}
