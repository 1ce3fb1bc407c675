/** Team chat (Matrix, `/api/v1/chat/rooms`) in one tenant: the user's rooms and Matrix's status. */
import {
  chatRoomSchema,
  matrixStatusSchema,
  type ChatRoom,
  type MatrixStatus,
} from '@afenda/contracts';

import { page, type Call } from './client';

export interface ChatRooms {
  rooms: ChatRoom[];
  matrix: MatrixStatus;
}

export interface ChatApi {
  rooms(): Promise<ChatRooms>;
}

// One list, not paged: the envelope's meta carries Matrix's status.
const roomList = page(chatRoomSchema, { matrix: matrixStatusSchema });

export function createChatApi(call: Call): ChatApi {
  return {
    async rooms() {
      const { body } = await call('GET', '/chat/rooms', roomList);
      return { rooms: body.data, matrix: body.meta.matrix };
    },
  };
}
