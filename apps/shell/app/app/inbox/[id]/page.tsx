import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { ArrowLeft, ExternalLink } from 'lucide-react';
import { Button } from '@afenda/ui';

import { LinkedWhiteboards } from '../../whiteboard/linked-boards';
import { isUuid } from '@/lib/actions';
import { load } from '@/lib/load';
import { requireTenantContext } from '@/lib/workspace';
import { LiveRefresh } from '../../_shell/live-refresh';
import { FailureState, NoTenant } from '../../_shell/states';
import { Time } from '../../_shell/time';
import { ConversationStatus } from '../_parts/conversation-status';
import { EscalateButton } from '../_parts/escalate-button';
import { MessageList } from '../_parts/message-list';

export const metadata: Metadata = { title: 'Conversation' };

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

export default async function ConversationPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  if (!isUuid(id)) notFound();
  const ctx = await requireTenantContext(`/app/inbox/${id}`);
  if (!ctx) return <NoTenant />;
  const result = await load(ctx.api.getConversation(id));
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
                <EscalateButton conversationId={c.id} pendingApprovalId={c.pendingApprovalId} />
              </div>
              <section aria-label="Messages" className="rounded-lg border p-4">
                <MessageList messages={messages} />
              </section>
              <LinkedWhiteboards
                accessToken={ctx.session.accessToken}
                tenantId={ctx.tenant.id}
                subjectType="conversation"
                subjectId={c.id}
                readonly={ctx.tenant.role === 'viewer'}
              />
            </>
          );
        })()
      )}
    </div>
  );
}
