/**
 * The Shell's calls to the orchestrator's consultation rooms (`/api/v1/rooms…`), in the tenant
 * the user acts in, through lib/orchestrator-api.ts's one call path (bearer token, shared zod
 * schemas, the error envelope as OrchestratorApiError, anything else as
 * OrchestratorUnavailableError).
 *
 * Server-only: the access token must never reach the browser. (The Jitsi token a join returns
 * does: the meeting runs in the browser, and that token is for this user and room alone.)
 */
import {
  jitsiStatusSchema,
  roomJoinSchema,
  roomSchema,
  type JitsiStatus,
  type Room,
  type RoomJoin,
  type RoomState,
} from '@afenda/contracts';
import { z } from 'zod';

import { createOrchestratorRequest } from './orchestrator-api';

export interface RoomsApiOptions {
  baseUrl: string;
  accessToken: string;
  /** The tenant the calls act in (X-Tenant-Id): the user's active tenant. */
  tenantId: string;
  timeoutMs?: number;
  fetch?: typeof fetch;
}

export interface RoomPage {
  rooms: Room[];
  nextCursor: string | null;
  jitsi: JitsiStatus;
}

export interface RoomsApi {
  list(query?: { state?: RoomState; cursor?: string; limit?: number }): Promise<RoomPage>;
  get(id: string): Promise<Room>;
  join(id: string): Promise<RoomJoin>;
  end(id: string): Promise<Room>;
}

const meta = z.object({ requestId: z.string().optional() }).catchall(z.unknown());
const listEnvelope = z.object({
  data: z.array(roomSchema),
  meta: meta.extend({ nextCursor: z.string().nullable().optional(), jitsi: jitsiStatusSchema }),
});
const roomEnvelope = z.object({ data: roomSchema, meta: meta.optional() });
const joinEnvelope = z.object({ data: roomJoinSchema, meta: meta.optional() });

export function createRoomsApi(options: RoomsApiOptions): RoomsApi {
  // The one call path of lib/orchestrator-api.ts: headers, timeout, envelope, contract check.
  const call = createOrchestratorRequest(options);
  const request = <T>(method: 'GET' | 'DELETE', path: string, schema: z.ZodType<T>) =>
    call(method, path, schema, { tenantId: options.tenantId });

  const room = (id: string) => `/rooms/${encodeURIComponent(id)}`;
  return {
    async list(query = {}) {
      const search = new URLSearchParams();
      if (query.state) search.set('state', query.state);
      if (query.cursor) search.set('cursor', query.cursor);
      if (query.limit) search.set('limit', String(query.limit));
      const qs = search.toString();
      const body = await request('GET', `/rooms${qs ? `?${qs}` : ''}`, listEnvelope);
      return { rooms: body.data, nextCursor: body.meta.nextCursor ?? null, jitsi: body.meta.jitsi };
    },
    async get(id) {
      return (await request('GET', room(id), roomEnvelope)).data;
    },
    async join(id) {
      return (await request('GET', `${room(id)}/join`, joinEnvelope)).data;
    },
    async end(id) {
      return (await request('DELETE', room(id), roomEnvelope)).data;
    },
  };
}
