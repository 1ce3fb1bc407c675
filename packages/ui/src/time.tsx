/** A timestamp as text a person reads, with the exact time for machines and tooltips. */
export function Time({ iso, className }: { iso: string; className?: string }) {
  const date = new Date(iso);
  const text = new Intl.DateTimeFormat('en-GB', {
    dateStyle: 'medium',
    timeStyle: 'short',
    timeZone: 'UTC',
  }).format(date);
  return (
    <time dateTime={iso} title={date.toISOString()} className={className}>
      {text} UTC
    </time>
  );
}
