/**
 * The Shell's calls to the orchestrator's whiteboard API, in the user's active tenant, with the
 * user's access token, each answer checked against the shared contracts.
 *
 * Server-only: never import this from a client component (the token must not reach the browser).
 */
import {
  envelope,
  whiteboardDetailSchema,
  whiteboardLinkSchema,
  whiteboardSchema,
  whiteboardTicketSchema,
  whiteboardVersionDetailSchema,
  whiteboardVersionSchema,
  type WhiteboardSubjectType,
} from '@afenda/contracts';
import { z } from 'zod';

import { getAuthConfig } from './auth/config';
import { createOrchestratorRequest, OrchestratorApiError } from './orchestrator-api';

const list = envelope(z.array(whiteboardSchema)).extend({
  meta: z.object({ nextCursor: z.string().nullable().optional() }).catchall(z.unknown()),
});

/** The whiteboard API for one user acting in one tenant. */
export function whiteboardsApi(accessToken: string, tenantId: string) {
  const request = createOrchestratorRequest({
    baseUrl: getAuthConfig().orchestratorUrl,
    accessToken,
  });
  const call = <T>(
    method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
    path: string,
    schema: z.ZodType<T>,
    body?: unknown,
  ) => request(method, path, schema, { tenantId, body });
  const board = (id: string) => `/whiteboards/${encodeURIComponent(id)}`;

  return {
    list: async (
      query: {
        status?: 'active' | 'deleted';
        subjectType?: WhiteboardSubjectType;
        subjectId?: string;
      } = {},
    ) => {
      const search = new URLSearchParams({ limit: '100', status: query.status ?? 'active' });
      if (query.subjectType && query.subjectId) {
        search.set('subject_type', query.subjectType);
        search.set('subject_id', query.subjectId);
      }
      return (await call('GET', `/whiteboards?${search}`, list)).data;
    },
    get: async (id: string) =>
      (await call('GET', board(id), envelope(whiteboardDetailSchema))).data,
    create: async (
      title: string,
      link?: { subjectType: WhiteboardSubjectType; subjectId: string },
    ) => (await call('POST', '/whiteboards', envelope(whiteboardSchema), { title, link })).data,
    rename: async (id: string, title: string) =>
      (await call('PATCH', board(id), envelope(whiteboardSchema), { title })).data,
    remove: async (id: string) =>
      (await call('DELETE', board(id), envelope(whiteboardSchema))).data,
    recover: async (id: string) =>
      (await call('POST', `${board(id)}/restore`, envelope(whiteboardSchema))).data,
    versions: async (id: string) =>
      (await call('GET', `${board(id)}/versions`, envelope(z.array(whiteboardVersionSchema)))).data,
    version: async (id: string, version: number) =>
      (
        await call(
          'GET',
          `${board(id)}/versions/${version}`,
          envelope(whiteboardVersionDetailSchema),
        )
      ).data,
    keepVersion: async (id: string, label?: string) =>
      (
        await call(
          'POST',
          `${board(id)}/versions`,
          envelope(whiteboardVersionSchema),
          label ? { label } : {},
        )
      ).data,
    restoreVersion: async (id: string, version: number) =>
      (await call('POST', `${board(id)}/versions/${version}/restore`, envelope(whiteboardSchema)))
        .data,
    link: async (id: string, subjectType: WhiteboardSubjectType, subjectId: string) =>
      (
        await call('POST', `${board(id)}/links`, envelope(whiteboardLinkSchema), {
          subjectType,
          subjectId,
        })
      ).data,
    ticket: async (id: string) =>
      (await call('POST', `${board(id)}/tickets`, envelope(whiteboardTicketSchema))).data,
  };
}

export type WhiteboardsApi = ReturnType<typeof whiteboardsApi>;

/** A message fit to show the user for a failed call. */
export function whiteboardErrorMessage(err: unknown): string {
  if (err instanceof OrchestratorApiError) return err.message;
  return 'The workspace service could not be reached. Try again.';
}
