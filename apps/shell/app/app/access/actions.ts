'use server';

import { inActiveTenant } from '@/lib/actions';
import type { ActionResult } from '@/lib/load';

/** "Sync now": queues a run of every connected tool, or of one; answers how many were queued. */
export async function syncAccessAction(tool?: string): Promise<ActionResult<{ queued: number }>> {
  if (tool !== undefined && (typeof tool !== 'string' || !/^[a-z0-9_-]{1,64}$/i.test(tool)))
    return { ok: false, message: 'No such tool.' };
  return inActiveTenant((api) => api.syncAccess(tool), { mutates: false });
}
