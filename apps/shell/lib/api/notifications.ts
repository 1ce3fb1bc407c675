/** The caller's notifications in one tenant, and the activity timeline. */
import { activityEntrySchema, notificationSchema, unreadCountSchema } from '@afenda/contracts';

import { anyBody, getData, getPage, segment, type Call, type Query } from './client';

export function createNotificationsApi(call: Call) {
  return {
    listNotifications: (query?: Query) =>
      getPage(call, '/notifications', notificationSchema, query),
    unreadCount: async () =>
      (await getData(call, '/notifications/unread-count', unreadCountSchema)).count,
    markRead: async (id: string) => {
      await call('POST', `/notifications/${segment(id)}/read`, anyBody, { idempotent: true });
    },
    markAllRead: async () => {
      await call('POST', '/notifications/read-all', anyBody, { idempotent: true });
    },
  };
}

export function createActivityApi(call: Call) {
  return {
    listActivity: (query?: Query) => getPage(call, '/activity', activityEntrySchema, query),
  };
}
