/**
 * The consultation rooms (Jitsi Meet, `/api/v1/rooms…`) in one tenant. The Jitsi token a join
 * returns does reach the browser: the meeting runs there, and that token is for this user and
 * room alone.
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

import { getData, one, page, segment, type Call } from './client';

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

const roomPage = page(roomSchema, { jitsi: jitsiStatusSchema });

export function createRoomsApi(call: Call): RoomsApi {
  const room = (id: string) => `/rooms/${segment(id)}`;
  return {
    async list(query = {}) {
      const { body } = await call('GET', '/rooms', roomPage, { query });
      return { rooms: body.data, nextCursor: body.meta.nextCursor ?? null, jitsi: body.meta.jitsi };
    },
    get: (id) => getData(call, room(id), roomSchema),
    join: (id) => getData(call, `${room(id)}/join`, roomJoinSchema),
    end: async (id) => (await call('DELETE', room(id), one(roomSchema))).body.data,
  };
}
