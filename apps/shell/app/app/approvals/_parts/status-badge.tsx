import type { ApprovalStatus } from '@afenda/contracts';
import { Badge } from '@afenda/ui';

const STATUS: Record<
  ApprovalStatus,
  { label: string; variant: 'secondary' | 'outline' | 'success' | 'destructive' | 'warning' }
> = {
  draft: { label: 'Draft', variant: 'outline' },
  submitted: { label: 'Waiting', variant: 'warning' },
  approved: { label: 'Approved', variant: 'success' },
  rejected: { label: 'Rejected', variant: 'destructive' },
};

export function StatusBadge({ status }: { status: ApprovalStatus }) {
  const { label, variant } = STATUS[status];
  return (
    <Badge variant={variant} data-status={status}>
      {label}
    </Badge>
  );
}
