import { Ban, Check, CircleDashed, Clock, RotateCcw, TriangleAlert } from 'lucide-react';
import { Badge, cn } from '@afenda/ui';

import type { AccessStatus } from '@/lib/api/access';
import { STATUS } from './labels';

type ChipState = AccessStatus | 'not_connected' | 'unchecked';

const LOOK: Record<
  ChipState,
  {
    variant: 'success' | 'warning' | 'destructive' | 'outline' | 'secondary';
    className?: string;
    icon: typeof Check;
  }
> = {
  in_sync: { variant: 'success', icon: Check },
  repaired: {
    variant: 'secondary',
    className: 'border-transparent bg-sky-700 text-white dark:bg-sky-800',
    icon: RotateCcw,
  },
  pending: { variant: 'warning', icon: Clock },
  failing: { variant: 'destructive', icon: TriangleAlert },
  not_connected: { variant: 'outline', className: 'text-muted-foreground', icon: Ban },
  unchecked: { variant: 'outline', className: 'text-muted-foreground', icon: CircleDashed },
};

const OTHER: Record<'not_connected' | 'unchecked', { label: string; hint: string }> = {
  not_connected: { label: 'Not connected', hint: 'The tool is not connected' },
  unchecked: { label: 'Not checked yet', hint: 'No run has recorded anything for them yet' },
};

/**
 * A person's state in one tool. Failing shows its error on hover (title) and, for touch and
 * keyboards, on expanding the chip (a native disclosure: no script needed).
 */
export function StatusChip({
  state,
  error,
  detail,
}: {
  state: ChipState;
  error?: string | null;
  /** e.g. "3 subjects" */
  detail?: string;
}) {
  const look = LOOK[state];
  const text = state === 'not_connected' || state === 'unchecked' ? OTHER[state] : STATUS[state];
  const Icon = look.icon;
  const badge = (
    <Badge
      variant={look.variant}
      className={cn('gap-1', look.className)}
      title={[text.hint, detail, error].filter(Boolean).join(' · ')}
      data-status={state}
    >
      <Icon aria-hidden className="size-3" />
      {text.label}
    </Badge>
  );
  if (state !== 'failing' || !error) return badge;
  return (
    <details className="group max-w-64" data-status={state}>
      <summary className="cursor-pointer list-none rounded-md outline-none focus-visible:ring-[3px] focus-visible:ring-ring/50 [&::-webkit-details-marker]:hidden">
        {badge}
        <span className="sr-only"> (show the error)</span>
      </summary>
      <p className="mt-1 text-xs break-words text-destructive" data-testid="access-error">
        {error}
      </p>
    </details>
  );
}
