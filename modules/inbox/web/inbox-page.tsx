import Link from 'next/link';
import { AppWindow, MessageSquare } from 'lucide-react';
import type { Conversation } from '@afenda/contracts';
import {
  Button,
  EmptyState,
  type ModulePage,
  NoTenant,
  PagedList,
  PageHeader,
  type SearchParams,
  TabNav,
  Time,
} from '@afenda/ui';

import { ConversationStatus } from './conversation-status';
import { DecisionChip } from './decision-banner';
import type { InboxShell } from './types';

const FILTERS = ['all', 'open', 'pending', 'snoozed', 'resolved'] as const;
type Filter = (typeof FILTERS)[number];

/** /app/inbox: the tenant's conversations, mirrored from Chatwoot, by status. */
export const inboxPage: ModulePage<InboxShell> = {
  title: 'Inbox',
  render: ({ searchParams, shell }) => <InboxPage params={searchParams} shell={shell} />,
};

async function InboxPage({ params, shell }: { params: SearchParams; shell: InboxShell }) {
  const { api, tenant, LiveRefresh } = shell;
  if (!api || !tenant) return <NoTenant />;
  const status: Filter = FILTERS.includes(params.status as Filter)
    ? (params.status as Filter)
    : 'all';
  const cursor = typeof params.cursor === 'string' ? params.cursor : undefined;
  const [result, inbox] = await Promise.all([
    shell.load(api.listConversations({ status, cursor, limit: 25 })),
    shell.moduleState('inbox'),
  ]);

  return (
    <div>
      <LiveRefresh on={['conversation', 'approval']} />
      <PageHeader
        title="Inbox"
        description={`Customer conversations of ${tenant.name}, mirrored from Chatwoot.`}
        actions={
          inbox?.embedUrl ? (
            <Button asChild variant="outline" size="sm">
              <Link href="/app/inbox/chatwoot">
                <AppWindow aria-hidden />
                Chatwoot dashboard
              </Link>
            </Button>
          ) : null
        }
      />
      {inbox && inbox.state === 'not_configured' ? (
        <p
          className="mb-4 rounded-md border bg-muted/40 px-3 py-2 text-sm text-muted-foreground"
          data-testid="inbox-not-configured"
        >
          Chatwoot is not connected for this tenant yet.{' '}
          {shell.describeMissing(inbox.missing, inbox.environment)}: an administrator sets it in the{' '}
          <Link href="/app/admin/apps" className="underline underline-offset-4">
            App registry
          </Link>
          .
        </p>
      ) : null}
      <TabNav
        label="Conversation status"
        link={Link}
        className="capitalize"
        tabs={FILTERS.map((f) => ({
          key: f,
          href: f === 'all' ? '/app/inbox' : `/app/inbox?status=${f}`,
          label: f,
          active: f === status,
        }))}
      />
      <PagedList
        result={result}
        what="The inbox"
        empty={
          <EmptyState title="No conversations" icon={MessageSquare}>
            Conversations appear here as customers write in through Chatwoot, without reloading.
          </EmptyState>
        }
        more={(next) => (
          <Link href={`/app/inbox?${new URLSearchParams({ status, cursor: next })}`}>
            Older conversations
          </Link>
        )}
      >
        {(conversations) => (
          <ul className="divide-y rounded-lg border" data-testid="conversation-list">
            {conversations.map((c) => (
              <ConversationRow key={c.id} conversation={c} />
            ))}
          </ul>
        )}
      </PagedList>
    </div>
  );
}

function ConversationRow({ conversation: c }: { conversation: Conversation }) {
  return (
    <li className="relative flex flex-col gap-1 p-4 hover:bg-muted/40" data-conversation-id={c.id}>
      <div className="flex flex-wrap items-center gap-2">
        <ConversationStatus status={c.status} />
        <Link
          href={`/app/inbox/${c.id}`}
          className="min-w-0 font-medium break-words outline-none after:absolute after:inset-0 focus-visible:underline"
        >
          {c.contactName ?? 'Unknown contact'}
        </Link>
        <span className="text-xs text-muted-foreground">#{c.displayId}</span>
        {c.pendingApprovalId ? (
          <span className="rounded border border-amber-500/60 px-1.5 text-xs text-amber-700 dark:text-amber-300">
            Escalated
          </span>
        ) : c.lastDecision ? (
          <DecisionChip decision={c.lastDecision.decision} />
        ) : null}
        <span className="ml-auto text-xs text-muted-foreground">
          <Time iso={c.lastActivityAt} />
        </span>
      </div>
      {c.lastMessagePreview ? (
        <p className="line-clamp-2 text-sm break-words text-muted-foreground">
          {c.lastMessagePreview}
        </p>
      ) : null}
      <p className="text-xs text-muted-foreground">
        {[c.assigneeName ? `Assigned to ${c.assigneeName}` : 'Unassigned', c.teamName, ...c.labels]
          .filter(Boolean)
          .join(' · ')}
      </p>
    </li>
  );
}
