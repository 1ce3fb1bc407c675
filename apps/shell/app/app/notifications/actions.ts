'use server';

import { inActiveTenant, isUuid } from '@/lib/actions';
import type { ActionResult } from '@/lib/load';

export async function markReadAction(id: string): Promise<ActionResult<void>> {
  if (!isUuid(id)) return { ok: false, message: 'No such notification.' };
  return inActiveTenant((api) => api.markRead(id));
}

export async function markAllReadAction(): Promise<ActionResult<void>> {
  return inActiveTenant((api) => api.markAllRead());
}
