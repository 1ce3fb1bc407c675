import Link from 'next/link';
import { CircleCheck, CircleX } from 'lucide-react';
import type { ConversationDecision } from '@afenda/contracts';
import { Badge, cn, Time } from '@afenda/ui';

const DECISION = {
  approved: { label: 'Approved', variant: 'success', Icon: CircleCheck },
  rejected: { label: 'Rejected', variant: 'destructive', Icon: CircleX },
} as const;

/** The chip for a conversation whose latest escalation is decided (the inbox list). */
export function DecisionChip({ decision }: { decision: ConversationDecision['decision'] }) {
  const { label, variant } = DECISION[decision];
  return (
    <Badge variant={variant} data-decision={decision}>
      {label}
    </Badge>
  );
}

/**
 * The outcome of the conversation's latest escalation, where the agent works: approved or
 * rejected, by whom, when, and the note or reason (the decider's words, rendered as text).
 */
export function DecisionBanner({ decision: d }: { decision: ConversationDecision }) {
  const { label, Icon } = DECISION[d.decision];
  const approved = d.decision === 'approved';
  return (
    <section
      aria-label="Escalation decision"
      data-testid="decision-banner"
      data-decision={d.decision}
      className={cn(
        'flex gap-3 rounded-lg border p-4 text-sm',
        approved
          ? 'border-emerald-600/50 bg-emerald-50 text-emerald-950 dark:bg-emerald-950/30 dark:text-emerald-50'
          : 'border-red-600/50 bg-red-50 text-red-950 dark:bg-red-950/30 dark:text-red-50',
      )}
    >
      <Icon aria-hidden className="mt-0.5 size-5 shrink-0" />
      <div className="min-w-0 space-y-1">
        <p className="font-medium">
          {label} by {d.decidedByName ?? 'a former member'} · <Time iso={d.decidedAt} />
        </p>
        {d.note ? (
          <p className="break-words whitespace-pre-wrap">
            <span className="font-medium">{approved ? 'Note' : 'Reason'}:</span> {d.note}
          </p>
        ) : (
          <p>{approved ? 'No note was left.' : 'No reason was given.'}</p>
        )}
        <Link href={`/app/approvals/${d.approvalId}`} className="underline underline-offset-4">
          The request and its ledger
        </Link>
      </div>
    </section>
  );
}
