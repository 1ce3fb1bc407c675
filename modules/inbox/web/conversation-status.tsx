import type { Conversation } from '@afenda/contracts';
import { Badge } from '@afenda/ui';

const LABEL: Record<Conversation['status'], string> = {
  open: 'Open',
  pending: 'Pending',
  snoozed: 'Snoozed',
  resolved: 'Resolved',
};

export function ConversationStatus({ status }: { status: Conversation['status'] }) {
  return (
    <Badge variant={status === 'open' ? 'secondary' : 'outline'} data-status={status}>
      {LABEL[status]}
    </Badge>
  );
}
