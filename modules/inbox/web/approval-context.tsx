import type { ReactNode } from 'react';
import Link from 'next/link';
import { MessageSquare } from 'lucide-react';
import {
  Card,
  CardContent,
  CardDescription,
  CardHeader,
  CardTitle,
  type ModuleApproval,
} from '@afenda/ui';

import { MessageList } from './message-list';
import type { InboxShell } from './types';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * On an escalation's approval page: the conversation it came from, with its last messages, or
 * (when we don't mirror it) the approval's details. Nothing for other approvals.
 */
export async function ApprovalConversation({
  approval,
  details,
  shell,
}: {
  approval: ModuleApproval;
  details: ReactNode;
  shell: InboxShell;
}) {
  if (approval.source !== 'chatwoot') return null;
  const found = shell.api ? await linkedConversation(shell.api, approval) : null;
  return (
    <section aria-labelledby="context-heading" className="space-y-3">
      <h2 id="context-heading" className="text-lg font-semibold">
        Conversation
      </h2>
      {found ? (
        <Card>
          <CardHeader>
            <CardTitle className="flex items-center gap-2 text-base">
              <MessageSquare aria-hidden className="size-4" />
              <Link
                href={`/app/inbox/${found.conversation.id}`}
                className="underline-offset-4 hover:underline"
              >
                {found.conversation.contactName ?? 'A customer'} · #{found.conversation.displayId}
              </Link>
            </CardTitle>
            <CardDescription>The last messages before the escalation.</CardDescription>
          </CardHeader>
          <CardContent>
            <MessageList messages={found.messages.slice(-6)} />
          </CardContent>
        </Card>
      ) : (
        details
      )}
    </section>
  );
}

/** The conversation an approval came from, when it names one we mirror. */
async function linkedConversation(api: NonNullable<InboxShell['api']>, approval: ModuleApproval) {
  const candidates = [approval.metadata.conversationId, approval.sourceRef].filter(
    (v): v is string => typeof v === 'string' && UUID.test(v),
  );
  for (const id of new Set(candidates)) {
    const found = await api.getConversation(id).catch(() => null);
    if (found) return found;
  }
  return null;
}
