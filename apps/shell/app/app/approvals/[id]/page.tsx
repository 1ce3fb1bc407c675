import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { ArrowLeft } from 'lucide-react';
import type { ApprovalEvent } from '@afenda/contracts';
import {
  Button,
  Card,
  CardDescription,
  CardHeader,
  CardTitle,
  FailureState,
  NoTenant,
  Time,
} from '@afenda/ui';

import { isUuid } from '@/lib/actions';
import { load } from '@/lib/load';
import { requireTenantContext } from '@/lib/workspace';
import { LiveRefresh } from '../../_shell/live-refresh';
import { approvalContext, SubjectPanels } from '../../_shell/module-pages';
import { DecisionButtons } from '../_parts/decision-buttons';
import { EscalationDetails } from '../_parts/approval-queue';
import { queueItem, sourceLabel } from '../_parts/queue-item';
import { StatusBadge } from '../_parts/status-badge';

export const metadata: Metadata = { title: 'Approval' };

const EVENT_LABEL: Record<string, string> = {
  created: 'Created',
  submitted: 'Submitted',
  approved: 'Approved',
  rejected: 'Rejected',
};

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
  const returnTo = `/app/approvals/${id}`;
  // What the approval came from (e.g. an escalated conversation), from the module it belongs to.
  const context = await approvalContext(a, <MetadataList metadata={a.metadata} />, returnTo);
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
            Requested by {requester} · <Time iso={a.createdAt} />
            {sourceLabel(a.source) ? ` · ${sourceLabel(a.source)}` : ''}
          </p>
          <EscalationDetails item={queueItem(a, '')} />
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

      {context ??
        (Object.keys(a.metadata).length > 0 ? (
          <section aria-labelledby="details-heading" className="space-y-3">
            <h2 id="details-heading" className="text-lg font-semibold">
              Details
            </h2>
            <MetadataList metadata={a.metadata} />
          </section>
        ) : null)}

      <SubjectPanels subject={{ type: 'approval', id: a.id }} returnTo={returnTo} />

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
