import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { ArrowLeft, MessageSquare } from 'lucide-react';
import type { Approval, ApprovalEvent } from '@afenda/contracts';
import { Button, Card, CardContent, CardDescription, CardHeader, CardTitle } from '@afenda/ui';

import { isUuid } from '@/lib/actions';
import { load } from '@/lib/load';
import type { ConversationDetail } from '@/lib/api/conversations';
import type { TenantApi } from '@/lib/api/orchestrator';
import { requireTenantContext } from '@/lib/workspace';
import { LinkedWhiteboards } from '../../whiteboard/linked-boards';
import { MessageList } from '../../inbox/_parts/message-list';
import { LiveRefresh } from '../../_shell/live-refresh';
import { FailureState, NoTenant } from '../../_shell/states';
import { Time } from '../../_shell/time';
import { DecisionButtons } from '../_parts/decision-buttons';
import { StatusBadge } from '../_parts/status-badge';

export const metadata: Metadata = { title: 'Approval' };

const EVENT_LABEL: Record<string, string> = {
  created: 'Created',
  submitted: 'Submitted',
  approved: 'Approved',
  rejected: 'Rejected',
};

/** The conversation an approval came from, when it names one we mirror. */
async function linkedConversation(
  api: TenantApi,
  approval: Approval,
): Promise<ConversationDetail | null> {
  const candidates = [approval.metadata.conversationId, approval.sourceRef].filter(isUuid);
  for (const id of new Set(candidates)) {
    const found = await api.getConversation(id).catch(() => null);
    if (found) return found;
  }
  return null;
}

export default async function ApprovalPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  if (!isUuid(id)) notFound();
  const ctx = await requireTenantContext(`/app/approvals/${id}`);
  if (!ctx) return <NoTenant />;
  const [approval, events] = await Promise.all([
    load(ctx.api.getApproval(id)),
    load(ctx.api.listApprovalEvents(id)),
  ]);
  if (!approval.ok && approval.kind === 'not-found') notFound();
  if (!approval.ok) return <FailureState failure={approval} what="This approval" />;
  const a = approval.data;
  const conversation = a.source === 'chatwoot' ? await linkedConversation(ctx.api, a) : null;
  const requester =
    a.requestedBy === ctx.workspace.me.id
      ? 'you'
      : ((events.ok ? events.data.find((e) => e.actorId === a.requestedBy)?.actorName : null) ??
        'someone');
  const mayDecide =
    a.status === 'submitted' && a.requestedBy !== ctx.workspace.me.id && ctx.tenant.canApprove;

  return (
    <div className="space-y-6">
      <LiveRefresh on={['approval']} />
      <Button asChild variant="ghost" size="sm" className="-ml-2">
        <Link href="/app/approvals">
          <ArrowLeft aria-hidden />
          Approvals
        </Link>
      </Button>
      <div className="flex flex-col gap-4 sm:flex-row sm:items-start">
        <div className="min-w-0 flex-1 space-y-2">
          <div className="flex items-center gap-2">
            <StatusBadge status={a.status} />
            <span className="text-xs text-muted-foreground">{a.type.replaceAll('_', ' ')}</span>
          </div>
          <h1 className="text-2xl font-semibold tracking-tight break-words">{a.title}</h1>
          <p className="text-sm text-muted-foreground">
            Requested by {requester} · <Time iso={a.createdAt} /> · from {a.source}
          </p>
        </div>
        {mayDecide ? <DecisionButtons id={a.id} title={a.title} /> : null}
      </div>

      {a.description ? (
        <p className="max-w-prose text-sm break-words whitespace-pre-wrap">{a.description}</p>
      ) : null}

      {a.decision ? (
        <Card data-testid="approval-decision">
          <CardHeader>
            <CardTitle className="text-base">
              {a.decision === 'approved' ? 'Approved' : 'Rejected'}
              {a.decidedAt ? (
                <>
                  {' '}
                  · <Time iso={a.decidedAt} className="font-normal text-muted-foreground" />
                </>
              ) : null}
            </CardTitle>
            {a.decisionComment ? (
              <CardDescription className="break-words whitespace-pre-wrap">
                {a.decisionComment}
              </CardDescription>
            ) : null}
          </CardHeader>
        </Card>
      ) : null}

      {a.source === 'chatwoot' ? (
        <section aria-labelledby="context-heading" className="space-y-3">
          <h2 id="context-heading" className="text-lg font-semibold">
            Conversation
          </h2>
          {conversation ? (
            <Card>
              <CardHeader>
                <CardTitle className="flex items-center gap-2 text-base">
                  <MessageSquare aria-hidden className="size-4" />
                  <Link
                    href={`/app/inbox/${conversation.conversation.id}`}
                    className="underline-offset-4 hover:underline"
                  >
                    {conversation.conversation.contactName ?? 'A customer'} · #
                    {conversation.conversation.displayId}
                  </Link>
                </CardTitle>
                <CardDescription>The last messages before the escalation.</CardDescription>
              </CardHeader>
              <CardContent>
                <MessageList messages={conversation.messages.slice(-6)} />
              </CardContent>
            </Card>
          ) : (
            <MetadataList metadata={a.metadata} />
          )}
        </section>
      ) : Object.keys(a.metadata).length > 0 ? (
        <section aria-labelledby="details-heading" className="space-y-3">
          <h2 id="details-heading" className="text-lg font-semibold">
            Details
          </h2>
          <MetadataList metadata={a.metadata} />
        </section>
      ) : null}

      <LinkedWhiteboards
        accessToken={ctx.session.accessToken}
        tenantId={ctx.tenant.id}
        subjectType="approval"
        subjectId={a.id}
        readonly={ctx.tenant.role === 'viewer'}
      />

      <section aria-labelledby="ledger-heading" className="space-y-3">
        <h2 id="ledger-heading" className="text-lg font-semibold">
          Ledger
        </h2>
        {events.ok ? (
          <Ledger events={events.data} />
        ) : (
          <FailureState failure={events} what="The ledger" />
        )}
      </section>
    </div>
  );
}

function MetadataList({ metadata }: { metadata: Record<string, unknown> }) {
  const entries = Object.entries(metadata);
  if (entries.length === 0)
    return <p className="text-sm text-muted-foreground">No context was attached.</p>;
  return (
    <dl className="grid grid-cols-1 gap-x-6 gap-y-1 rounded-lg border p-4 text-sm sm:grid-cols-[auto_1fr]">
      {entries.map(([key, value]) => (
        <div key={key} className="contents">
          <dt className="text-muted-foreground">{key}</dt>
          <dd className="break-words whitespace-pre-wrap">
            {typeof value === 'string' ? value : JSON.stringify(value, null, 1)}
          </dd>
        </div>
      ))}
    </dl>
  );
}

function Ledger({ events }: { events: ApprovalEvent[] }) {
  if (events.length === 0) return <p className="text-sm text-muted-foreground">No entries.</p>;
  return (
    <ol className="space-y-3 border-l pl-4" data-testid="approval-ledger">
      {events.map((e) => {
        const note = e.data.reason ?? e.data.comment;
        return (
          <li key={e.id} className="relative">
            <span
              aria-hidden
              className="absolute top-1.5 -left-[21px] size-2.5 rounded-full bg-primary"
            />
            <p className="text-sm">
              <span className="font-medium">{EVENT_LABEL[e.eventType] ?? e.eventType}</span> by{' '}
              {e.actorName ?? 'the system'}
              {e.fromStatus ? ` (${e.fromStatus} → ${e.toStatus})` : ''}
            </p>
            {typeof note === 'string' && note ? (
              <p className="text-sm break-words whitespace-pre-wrap text-muted-foreground">
                {note}
              </p>
            ) : null}
            <p className="text-xs text-muted-foreground">
              #{e.seq} · <Time iso={e.occurredAt} /> ·{' '}
              <span className="font-mono" title={e.hash}>
                {e.hash.slice(0, 12)}
              </span>
            </p>
          </li>
        );
      })}
    </ol>
  );
}
