/** The whiteboards (tldraw, kept by the orchestrator) in one tenant: boards, versions, links. */
import {
  whiteboardDetailSchema,
  whiteboardLinkSchema,
  whiteboardSchema,
  whiteboardTicketSchema,
  whiteboardVersionDetailSchema,
  whiteboardVersionSchema,
  type WhiteboardSubjectType,
} from '@afenda/contracts';
import { z } from 'zod';

import { getData, getPage, OrchestratorApiError, segment, send, type Call } from './client';

export function createWhiteboardsApi(call: Call) {
  const board = (id: string) => `/whiteboards/${segment(id)}`;
  // These calls have always gone without an idempotency key; a retry is harmless or refused.
  const write = <T>(
    method: 'POST' | 'PATCH' | 'DELETE',
    path: string,
    item: z.ZodType<T>,
    body?: unknown,
  ) => send(call, method, path, item, body, { idempotent: false });

  return {
    list: async (
      query: {
        status?: 'active' | 'deleted';
        subjectType?: WhiteboardSubjectType;
        subjectId?: string;
      } = {},
    ) => {
      const linked = query.subjectType && query.subjectId;
      const found = await getPage(call, '/whiteboards', whiteboardSchema, {
        limit: 100,
        status: query.status ?? 'active',
        subject_type: linked ? query.subjectType : undefined,
        subject_id: linked ? query.subjectId : undefined,
      });
      return found.data;
    },
    get: (id: string) => getData(call, board(id), whiteboardDetailSchema),
    create: (title: string, link?: { subjectType: WhiteboardSubjectType; subjectId: string }) =>
      write('POST', '/whiteboards', whiteboardSchema, { title, link }),
    rename: (id: string, title: string) => write('PATCH', board(id), whiteboardSchema, { title }),
    remove: (id: string) => write('DELETE', board(id), whiteboardSchema),
    recover: (id: string) => write('POST', `${board(id)}/restore`, whiteboardSchema),
    versions: (id: string) =>
      getData(call, `${board(id)}/versions`, z.array(whiteboardVersionSchema)),
    version: (id: string, version: number) =>
      getData(call, `${board(id)}/versions/${version}`, whiteboardVersionDetailSchema),
    keepVersion: (id: string, label?: string) =>
      write('POST', `${board(id)}/versions`, whiteboardVersionSchema, label ? { label } : {}),
    restoreVersion: (id: string, version: number) =>
      write('POST', `${board(id)}/versions/${version}/restore`, whiteboardSchema),
    link: (id: string, subjectType: WhiteboardSubjectType, subjectId: string) =>
      write('POST', `${board(id)}/links`, whiteboardLinkSchema, { subjectType, subjectId }),
    ticket: (id: string) => write('POST', `${board(id)}/tickets`, whiteboardTicketSchema),
  };
}

export type WhiteboardsApi = ReturnType<typeof createWhiteboardsApi>;

/** A message fit to show the user for a failed call. */
export function whiteboardErrorMessage(err: unknown): string {
  if (err instanceof OrchestratorApiError) return err.message;
  return 'The workspace service could not be reached. Try again.';
}
