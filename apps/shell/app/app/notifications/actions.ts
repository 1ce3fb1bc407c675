'use server';

import type { Notification } from '@afenda/contracts';

import { inActiveTenant, isUuid } from '@/lib/actions';
import type { ActionResult } from '@/lib/load';

/** The bell's preview: the latest unread notifications. */
export async function loadBellAction(): Promise<ActionResult<Notification[]>> {
  return inActiveTenant(
    async (api) => (await api.listNotifications({ unread: 'true', limit: 8 })).data,
    { mutates: false },
  );
}

export async function markReadAction(id: string): Promise<ActionResult<void>> {
  if (!isUuid(id)) return { ok: false, message: 'No such notification.' };
  return inActiveTenant((api) => api.markRead(id));
}

export async function markAllReadAction(): Promise<ActionResult<void>> {
  return inActiveTenant((api) => api.markAllRead());
}
