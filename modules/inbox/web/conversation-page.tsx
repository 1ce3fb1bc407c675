import Link from 'next/link';
import { notFound } from 'next/navigation';
import { ArrowLeft, ExternalLink } from 'lucide-react';
import { Button, FailureState, NoTenant, Time, type ModulePage } from '@afenda/ui';

import { ConversationStatus } from './conversation-status';
import { DecisionBanner } from './decision-banner';
import { EscalateButton } from './escalate-button';
import { MessageList } from './message-list';
import type { InboxShell } from './types';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** /app/inbox/<conversation>: its messages, the escalation, and what other modules link to it. */
export const conversationPage: ModulePage<InboxShell> = {
  title: 'Conversation',
  render: ({ path: [id = ''], shell }) => <ConversationPage id={id} shell={shell} />,
};

/** Only http(s) links leave the Shell: a mirrored URL is data, not trusted markup. */
function safeHttpUrl(value: string | null): string | null {
  if (!value) return null;
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || url.protocol === 'http:' ? url.href : null;
  } catch {
    return null;
  }
}

async function ConversationPage({ id, shell }: { id: string; shell: InboxShell }) {
  if (!UUID.test(id)) notFound();
  const { api, LiveRefresh, SubjectPanels } = shell;
  if (!api) return <NoTenant />;
  const result = await shell.load(api.getConversation(id));
  if (!result.ok && result.kind === 'not-found') notFound();

  return (
    <div className="space-y-6">
      <LiveRefresh on={['conversation', 'approval']} />
      <Button asChild variant="ghost" size="sm" className="-ml-2">
        <Link href="/app/inbox">
          <ArrowLeft aria-hidden />
          Inbox
        </Link>
      </Button>
      {!result.ok ? (
        <FailureState failure={result} what="This conversation" />
      ) : (
        (() => {
          const { conversation: c, messages } = result.data;
          const chatwoot = safeHttpUrl(c.chatwootUrl);
          return (
            <>
              <div className="flex flex-col gap-4 sm:flex-row sm:items-start">
                <div className="min-w-0 flex-1 space-y-2">
                  <div className="flex items-center gap-2">
                    <ConversationStatus status={c.status} />
                    <span className="text-xs text-muted-foreground">#{c.displayId}</span>
                  </div>
                  <h1 className="text-2xl font-semibold tracking-tight break-words">
                    {c.contactName ?? 'Unknown contact'}
                  </h1>
                  <p className="text-sm text-muted-foreground">
                    {c.assigneeName ? `Assigned to ${c.assigneeName}` : 'Unassigned'}
                    {c.teamName ? ` · ${c.teamName}` : ''} · last activity{' '}
                    <Time iso={c.lastActivityAt} />
                  </p>
                  {chatwoot ? (
                    <a
                      href={chatwoot}
                      target="_blank"
                      rel="noopener noreferrer"
                      className="inline-flex items-center gap-1 text-sm underline underline-offset-4"
                    >
                      Open in Chatwoot
                      <ExternalLink aria-hidden className="size-3.5" />
                      <span className="sr-only">(opens in a new tab)</span>
                    </a>
                  ) : null}
                </div>
                <EscalateButton
                  conversationId={c.id}
                  pendingApprovalId={c.pendingApprovalId}
                  lastDecision={c.lastDecision}
                  escalate={shell.actions.inbox.escalateAction}
                  signInHref={shell.signInHref}
                />
              </div>
              {c.lastDecision && !c.pendingApprovalId ? (
                <DecisionBanner decision={c.lastDecision} />
              ) : null}
              <section aria-label="Messages" className="rounded-lg border p-4">
                <MessageList messages={messages} />
              </section>
              <SubjectPanels subject={{ type: 'conversation', id: c.id }} />
            </>
          );
        })()
      )}
    </div>
  );
}
