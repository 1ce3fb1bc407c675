/**
 * The Shell's calls to the orchestrator's consultation rooms (`/api/v1/rooms…`), in the tenant
 * the user acts in: the same contract as lib/orchestrator-api.ts (bearer token, shared zod
 * schemas, the error envelope as {@link OrchestratorApiError}, anything else as
 * {@link OrchestratorUnavailableError}).
 *
 * Server-only: the access token must never reach the browser. (The Jitsi token a join returns
 * does: the meeting runs in the browser, and that token is for this user and room alone.)
 */
import {
  errorBodySchema,
  jitsiStatusSchema,
  roomJoinSchema,
  roomSchema,
  type JitsiStatus,
  type Room,
  type RoomJoin,
  type RoomState,
} from '@afenda/contracts';
import { z } from 'zod';

import { OrchestratorApiError, OrchestratorUnavailableError } from './orchestrator-api';

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
  const baseUrl = options.baseUrl.replace(/\/+$/, '');
  const timeoutMs = options.timeoutMs ?? 5_000;
  const doFetch = options.fetch ?? fetch;

  async function request<T>(
    method: 'GET' | 'DELETE',
    path: string,
    schema: z.ZodType<T>,
  ): Promise<T> {
    const url = `${baseUrl}/api/v1${path}`;
    let response: Response;
    try {
      response = await doFetch(url, {
        method,
        cache: 'no-store',
        headers: {
          accept: 'application/json',
          authorization: `Bearer ${options.accessToken}`,
          'x-tenant-id': options.tenantId,
        },
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (err) {
      const message =
        err instanceof Error && err.name === 'TimeoutError'
          ? `Timed out after ${timeoutMs} ms`
          : String((err as Error)?.message ?? err);
      throw new OrchestratorUnavailableError(message, url, { cause: err });
    }
    const body: unknown = await response.json().catch(() => undefined);
    if (!response.ok) {
      const envelope = errorBodySchema.safeParse(body);
      if (!envelope.success) throw new OrchestratorUnavailableError(`HTTP ${response.status}`, url);
      const { code, message, details } = envelope.data.error;
      throw new OrchestratorApiError(response.status, code, message, details);
    }
    const parsed = schema.safeParse(body);
    if (!parsed.success) {
      throw new OrchestratorUnavailableError(
        `Unexpected response body: ${parsed.error.issues[0]?.message ?? 'invalid'}`,
        url,
      );
    }
    return parsed.data;
  }

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
