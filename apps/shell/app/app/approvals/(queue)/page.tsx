import type { Metadata } from 'next';
import Link from 'next/link';
import { Plus } from 'lucide-react';
import type { Approval } from '@afenda/contracts';
import { Button, EmptyState, NoTenant, PagedList, PageHeader, TabNav, Time } from '@afenda/ui';

import { load } from '@/lib/load';
import { requireTenantContext } from '@/lib/workspace';
import { LiveRefresh } from '../../_shell/live-refresh';
import { ApprovalQueue } from '../_parts/approval-queue';
import { StatusBadge } from '../_parts/status-badge';
import { queueItem, sortQueue, sourceLabel, undoWindowMs } from '../_parts/queue-item';

export const metadata: Metadata = { title: 'Approvals' };

const VIEWS = {
  waiting: { label: 'Waiting for me', empty: 'Nothing is waiting for your decision.' },
  mine: { label: 'My requests', empty: 'You have not requested anything yet.' },
  all: { label: 'All', empty: 'No approvals in this tenant yet.' },
} as const;
type View = keyof typeof VIEWS;

export default async function ApprovalsPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const params = await searchParams;
  const ctx = await requireTenantContext('/app/approvals');
  if (!ctx) return <NoTenant />;
  const asked = typeof params.view === 'string' ? params.view : '';
  const view: View = asked in VIEWS ? (asked as View) : ctx.tenant.canApprove ? 'waiting' : 'mine';
  const cursor = typeof params.cursor === 'string' ? params.cursor : undefined;
  // The waiting queue in one of two orders: as submitted (oldest first), or most urgent first.
  const sort = params.sort === 'urgency' ? 'urgency' : 'oldest';
  const query =
    view === 'waiting'
      ? { awaiting: 'me', cursor }
      : view === 'mine'
        ? { requested_by: 'me', cursor }
        : { cursor };
  const [result, types, recent] = await Promise.all([
    // Waiting: up to 100 at once, so that "most urgent first" sorts all of them.
    load(ctx.api.listApprovals({ ...query, limit: view === 'waiting' ? 100 : 25 })),
    load(ctx.api.listApprovalTypes()),
    view === 'waiting' && ctx.tenant.canApprove
      ? load(ctx.api.listApprovals({ decided_by: 'me', limit: 5 }))
      : null,
  ]);
  const empty = (
    <EmptyState title={VIEWS[view].empty}>
      {view === 'waiting' && !ctx.tenant.canApprove
        ? 'Your role here does not decide approvals.'
        : 'New requests appear here as they come, without reloading.'}
    </EmptyState>
  );
  const typeTitles = new Map(types.ok ? types.data.map((t) => [t.id, t.title]) : []);
  const typeTitle = (type: string) => typeTitles.get(type) ?? type.replaceAll('_', ' ');

  return (
    <div>
      <LiveRefresh on={['approval', 'notification']} />
      <PageHeader
        title="Approvals"
        description={`Requests in ${ctx.tenant.name}: decided here, recorded in the ledger.`}
        actions={
          // Viewers may not request (the API refuses them): no button they cannot use.
          ctx.tenant.role === 'viewer' ? undefined : (
            <Button asChild size="sm">
              <Link href="/app/approvals/new">
                <Plus aria-hidden />
                New request
              </Link>
            </Button>
          )
        }
      />
      <TabNav
        label="Approval views"
        link={Link}
        tabs={(Object.keys(VIEWS) as View[]).map((v) => ({
          key: v,
          href: `/app/approvals?view=${v}`,
          label: VIEWS[v].label,
          active: v === view,
        }))}
      />
      {view === 'waiting' ? (
        <nav aria-label="Order" className="mb-3 flex items-center gap-2 text-sm">
          <span className="text-muted-foreground">Order:</span>
          {(
            [
              ['oldest', 'Oldest first'],
              ['urgency', 'Most urgent first'],
            ] as const
          ).map(([value, label]) => (
            <Link
              key={value}
              href={`/app/approvals?view=waiting&sort=${value}`}
              aria-current={sort === value ? 'true' : undefined}
              className="rounded-md px-2 py-1 underline-offset-4 hover:underline aria-[current=true]:bg-muted aria-[current=true]:font-medium"
            >
              {label}
            </Link>
          ))}
        </nav>
      ) : null}
      <PagedList
        result={result}
        what="Approvals"
        keepChildren={view === 'waiting'}
        empty={empty}
        more={(next) => (
          <Link href={`/app/approvals?${new URLSearchParams({ view, cursor: next })}`}>
            Older requests
          </Link>
        )}
      >
        {(approvals) =>
          view === 'waiting' ? (
            <ApprovalQueue
              items={sortQueue(
                approvals.map((a) => queueItem(a, typeTitle(a.type))),
                sort,
              )}
              undoMs={undoWindowMs()}
              empty={empty}
            />
          ) : (
            <ApprovalList approvals={approvals} typeTitle={typeTitle} />
          )
        }
      </PagedList>
      {recent?.ok && recent.data.data.length > 0 ? (
        <section aria-labelledby="recently-decided" className="mt-8 space-y-2">
          <h2 id="recently-decided" className="text-sm font-medium">
            Recently decided by you
          </h2>
          <ApprovalList
            testId="recently-decided"
            approvals={[...recent.data.data].sort((a, b) =>
              (b.decidedAt ?? '').localeCompare(a.decidedAt ?? ''),
            )}
            typeTitle={typeTitle}
          />
        </section>
      ) : null}
    </div>
  );
}

function ApprovalList({
  approvals,
  typeTitle,
  testId = 'approval-list',
}: {
  approvals: Approval[];
  typeTitle: (type: string) => string;
  testId?: string;
}) {
  return (
    <ul className="divide-y rounded-lg border" data-testid={testId}>
      {approvals.map((approval) => (
        <ApprovalRow key={approval.id} approval={approval} typeTitle={typeTitle} />
      ))}
    </ul>
  );
}

function ApprovalRow({
  approval,
  typeTitle,
}: {
  approval: Approval;
  typeTitle: (type: string) => string;
}) {
  const decided = approval.decidedAt && approval.decidedByName;
  return (
    <li
      className="flex flex-col gap-3 p-4 sm:flex-row sm:items-center"
      data-approval-id={approval.id}
    >
      <div className="min-w-0 flex-1 space-y-1">
        <div className="flex flex-wrap items-center gap-2">
          <StatusBadge status={approval.status} />
          <Link
            href={`/app/approvals/${approval.id}`}
            className="min-w-0 font-medium break-words underline-offset-4 outline-none hover:underline focus-visible:ring-[3px] focus-visible:ring-ring/50"
          >
            {approval.title}
          </Link>
        </div>
        <p className="text-xs text-muted-foreground">
          {[approval.requestedByName, typeTitle(approval.type), sourceLabel(approval.source)]
            .filter(Boolean)
            .join(' · ')}{' '}
          · <Time iso={approval.submittedAt ?? approval.createdAt} />
          {decided ? (
            <>
              {' '}
              · {approval.status} by {approval.decidedByName}, <Time iso={approval.decidedAt!} />
            </>
          ) : null}
        </p>
      </div>
    </li>
  );
}
