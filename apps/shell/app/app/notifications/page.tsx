import type { Metadata } from 'next';
import Link from 'next/link';
import { Bell } from 'lucide-react';
import { EmptyState, NoTenant, PagedList, PageHeader, TabNav } from '@afenda/ui';

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
      <TabNav
        label="Notification filter"
        link={Link}
        tabs={[
          { key: 'all', href: '/app/notifications', label: 'All', active: !onlyUnread },
          {
            key: 'unread',
            href: '/app/notifications?filter=unread',
            label: 'Unread',
            active: onlyUnread,
          },
        ]}
      />
      <PagedList
        result={list}
        what="Notifications"
        empty={
          <EmptyState title={onlyUnread ? 'Nothing unread' : 'No notifications yet'} icon={Bell}>
            Decisions on your requests and requests waiting for you appear here, as they happen.
          </EmptyState>
        }
        more={(next) => (
          <Link
            href={`/app/notifications?${new URLSearchParams({ ...(onlyUnread ? { filter: 'unread' } : {}), cursor: next })}`}
          >
            Older
          </Link>
        )}
      >
        {(items) => <NotificationList items={items} unread={unread.ok ? unread.data : 0} />}
      </PagedList>
    </div>
  );
}
