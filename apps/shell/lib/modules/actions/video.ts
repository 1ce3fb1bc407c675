'use server';

import { refresh } from 'next/cache';

import { OrchestratorApiError } from '@/lib/api/client';
import { getSession } from '@/lib/auth/session';
import { loadWorkspace, orchestratorApi } from '@/lib/workspace';

export type EndRoomResult = { ok: true; data: void } | { ok: false; message: string };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** End a consultation room for everyone (its moderator, an admin or an owner: the orchestrator decides). */
export async function endRoom(roomId: string): Promise<EndRoomResult> {
  if (typeof roomId !== 'string' || !UUID.test(roomId))
    return { ok: false, message: 'That room does not exist.' };
  try {
    const session = await getSession();
    if (!session) return { ok: false, message: 'Your session has ended.' };
    const { active } = await loadWorkspace(session.accessToken);
    if (!active) return { ok: false, message: 'Choose a tenant first.' };
    await orchestratorApi(session.accessToken).inTenant(active.id).rooms.end(roomId);
  } catch (err) {
    if (err instanceof OrchestratorApiError) return { ok: false, message: err.message };
    console.error('ending a room failed:', err);
    return { ok: false, message: 'The workspace service could not be reached. Try again.' };
  }
  refresh();
  return { ok: true, data: undefined };
}
