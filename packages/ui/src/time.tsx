const UTC = new Intl.DateTimeFormat('en-GB', {
  dateStyle: 'medium',
  timeStyle: 'short',
  timeZone: 'UTC',
});

/** "13 Jul 2026, 10:00 UTC": the exact time as a person reads it. */
export const formatUtc = (iso: string) => `${UTC.format(new Date(iso))} UTC`;

/** A timestamp as text a person reads, with the exact time for machines and tooltips. */
export function Time({ iso, className }: { iso: string; className?: string }) {
  return (
    <time dateTime={iso} title={new Date(iso).toISOString()} className={className}>
      {formatUtc(iso)}
    </time>
  );
}

/** "in 1 h 20 min", "5 min ago", "3 days ago": short; the exact time is in RelativeTime's title. */
export function relativeTime(iso: string, now: number): string {
  const ms = new Date(iso).getTime() - now;
  // Two clocks (the orchestrator's, the Shell's) a moment apart: a time just behind is past.
  if (Math.abs(ms) < 60_000) return ms < 5_000 ? 'less than a minute ago' : 'in less than a minute';
  const minutes = Math.round(ms / 60_000);
  const abs = Math.abs(minutes);
  const span =
    abs < 1
      ? 'less than a minute'
      : abs < 60
        ? `${abs} min`
        : abs < 48 * 60
          ? `${Math.floor(abs / 60)} h${abs % 60 ? ` ${abs % 60} min` : ''}`
          : `${Math.floor(abs / (24 * 60))} days`;
  return minutes >= 0 ? `in ${span}` : `${span} ago`;
}

/** A time relative to `now` (with `prefix`, e.g. "Expires"), the exact time on hover. */
export function RelativeTime({
  iso,
  now,
  prefix,
  className,
}: {
  iso: string;
  now: number;
  prefix?: string;
  className?: string;
}) {
  const text = relativeTime(iso, now);
  return (
    <time dateTime={iso} title={formatUtc(iso)} className={className}>
      {prefix ? `${prefix} ${text}` : text}
    </time>
  );
}
