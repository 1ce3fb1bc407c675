import type { Metadata } from 'next';
import Link from 'next/link';
import { Bell } from 'lucide-react';
import { Button, cn, EmptyState, FailureState, NoTenant, PageHeader } from '@afenda/ui';

import { load } from '@/lib/load';
import { requireTenantContext } from '@/lib/workspace';
import { LiveRefresh } from '../_shell/live-refresh';
import { NotificationList } from './notification-list';

export const metadata: Metadata = { title: 'Notifications' };

export default async function NotificationsPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const params = await searchParams;
  const ctx = await requireTenantContext('/app/notifications');
  if (!ctx) return <NoTenant />;
  const onlyUnread = params.filter === 'unread';
  const cursor = typeof params.cursor === 'string' ? params.cursor : undefined;
  const [list, unread] = await Promise.all([
    load(ctx.api.listNotifications({ unread: onlyUnread ? 'true' : undefined, cursor, limit: 30 })),
    load(ctx.api.unreadCount()),
  ]);

  return (
    <div>
      <LiveRefresh on={['notification']} />
      <PageHeader
        title="Notifications"
        description="What needs your attention, from every module."
      />
      <nav aria-label="Notification filter" className="mb-4 flex gap-1 border-b">
        {[
          { href: '/app/notifications', label: 'All', active: !onlyUnread },
          { href: '/app/notifications?filter=unread', label: 'Unread', active: onlyUnread },
        ].map((tab) => (
          <Link
            key={tab.href}
            href={tab.href}
            aria-current={tab.active ? 'page' : undefined}
            className={cn(
              '-mb-px border-b-2 border-transparent px-3 py-2 text-sm text-muted-foreground outline-none hover:text-foreground focus-visible:ring-[3px] focus-visible:ring-ring/50',
              tab.active && 'border-primary font-medium text-foreground',
            )}
          >
            {tab.label}
          </Link>
        ))}
      </nav>
      {!list.ok ? (
        <FailureState failure={list} what="Notifications" />
      ) : list.data.data.length === 0 ? (
        <EmptyState title={onlyUnread ? 'Nothing unread' : 'No notifications yet'} icon={Bell}>
          Decisions on your requests and requests waiting for you appear here, as they happen.
        </EmptyState>
      ) : (
        <>
          <NotificationList items={list.data.data} unread={unread.ok ? unread.data : 0} />
          {list.data.nextCursor ? (
            <div className="mt-4 flex justify-center">
              <Button asChild variant="outline" size="sm">
                <Link
                  href={`/app/notifications?${new URLSearchParams({ ...(onlyUnread ? { filter: 'unread' } : {}), cursor: list.data.nextCursor })}`}
                >
                  Older
                </Link>
              </Button>
            </div>
          ) : null}
        </>
      )}
    </div>
  );
}
