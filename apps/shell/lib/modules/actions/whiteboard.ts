'use server';

import {
  whiteboardSubjectTypeSchema,
  type WhiteboardDocument,
  type WhiteboardVersion,
} from '@afenda/contracts';
import type { ActionResult } from '@afenda/ui';
import { refresh } from 'next/cache';
import { redirect } from 'next/navigation';

import { getSession } from '@/lib/auth/session';
import { whiteboardErrorMessage, type WhiteboardsApi } from '@/lib/api/whiteboards';
import { loadWorkspace, orchestratorApi } from '@/lib/workspace';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Runs fn with the whiteboard API of the signed-in user in their active tenant. */
async function withBoards<T>(fn: (api: WhiteboardsApi) => Promise<T>): Promise<ActionResult<T>> {
  const session = await getSession();
  if (!session) return { ok: false, code: 'SIGNED_OUT', message: 'Your session has ended.' };
  try {
    const { active } = await loadWorkspace(session.accessToken);
    if (!active) return { ok: false, message: 'Choose a tenant first.' };
    return {
      ok: true,
      data: await fn(orchestratorApi(session.accessToken).inTenant(active.id).whiteboards),
    };
  } catch (err) {
    if (!(err instanceof Error && 'code' in err)) console.error('whiteboard action failed:', err);
    return {
      ok: false,
      message: whiteboardErrorMessage(err),
      code: err instanceof Error && 'code' in err ? String(err.code) : undefined,
    };
  }
}

const badId = { ok: false, message: 'That board does not exist.' } as const;
const cleanTitle = (title: unknown) => (typeof title === 'string' ? title.trim() : '');

export async function createBoard(
  _previous: ActionResult | null,
  form: FormData,
): Promise<ActionResult> {
  const title = cleanTitle(form.get('title'));
  if (!title) return { ok: false, message: 'Give the board a title.' };
  if (title.length > 200) return { ok: false, message: 'Keep the title under 200 characters.' };
  // From an approval's or a conversation's page: the new board is linked to it at once.
  const subjectType = whiteboardSubjectTypeSchema.safeParse(form.get('subjectType'));
  const subjectId = form.get('subjectId');
  const link =
    subjectType.success && typeof subjectId === 'string' && UUID.test(subjectId)
      ? { subjectType: subjectType.data, subjectId }
      : undefined;
  const created = await withBoards((api) => api.create(title, link));
  if (!created.ok) return created;
  redirect(`/app/whiteboard/${created.data.id}`);
}

export async function renameBoard(id: string, title: string): Promise<ActionResult> {
  if (!UUID.test(id)) return badId;
  const clean = cleanTitle(title);
  if (!clean) return { ok: false, message: 'Give the board a title.' };
  const result = await withBoards((api) => api.rename(id, clean));
  if (result.ok) refresh();
  return result.ok ? { ok: true, data: undefined } : result;
}

export async function deleteBoard(id: string): Promise<ActionResult> {
  if (!UUID.test(id)) return badId;
  const result = await withBoards((api) => api.remove(id));
  if (result.ok) refresh();
  return result.ok ? { ok: true, data: undefined } : result;
}

export async function recoverBoard(id: string): Promise<ActionResult> {
  if (!UUID.test(id)) return badId;
  const result = await withBoards((api) => api.recover(id));
  if (result.ok) refresh();
  return result.ok ? { ok: true, data: undefined } : result;
}

/** The WebSocket URL (with a fresh single-use ticket) for the board's live sync. */
export async function boardSyncUrl(id: string): Promise<ActionResult<string>> {
  if (!UUID.test(id)) return badId;
  const result = await withBoards((api) => api.ticket(id));
  return result.ok ? { ok: true, data: result.data.url } : result;
}

export async function boardVersions(id: string): Promise<ActionResult<WhiteboardVersion[]>> {
  if (!UUID.test(id)) return badId;
  return withBoards((api) => api.versions(id));
}

export async function boardVersionDocument(
  id: string,
  version: number,
): Promise<ActionResult<WhiteboardDocument>> {
  if (!UUID.test(id) || !Number.isInteger(version)) return badId;
  const result = await withBoards((api) => api.version(id, version));
  return result.ok ? { ok: true, data: result.data.document } : result;
}

export async function restoreBoardVersion(id: string, version: number): Promise<ActionResult> {
  if (!UUID.test(id) || !Number.isInteger(version)) return badId;
  const result = await withBoards((api) => api.restoreVersion(id, version));
  return result.ok ? { ok: true, data: undefined } : result;
}

export async function keepBoardVersion(id: string, label: string): Promise<ActionResult> {
  if (!UUID.test(id)) return badId;
  const result = await withBoards((api) => api.keepVersion(id, label.trim() || undefined));
  return result.ok ? { ok: true, data: undefined } : result;
}
