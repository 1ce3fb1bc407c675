/**
 * What the video module's pages need of the Shell (the Shell hands it in as `shell`): the user,
 * the active tenant, the consultation rooms API in it, and the server action that ends a room.
 */
import type { JitsiStatus, Room, RoomJoin, RoomState, Tenant } from '@afenda/contracts';
import type { ActionResult, Loaded } from '@afenda/ui';

export interface VideoShell {
  me: { id: string; displayName: string; email: string | null };
  tenant: Pick<Tenant, 'name' | 'role'> | null;
  api: {
    rooms: {
      list(query?: { state?: RoomState; cursor?: string; limit?: number }): Promise<{
        rooms: Room[];
        nextCursor: string | null;
        jitsi: JitsiStatus;
      }>;
      join(id: string): Promise<RoomJoin>;
    };
  } | null;
  load<T>(promise: Promise<T>): Promise<Loaded<T>>;
  actions: { video: { endRoom: (roomId: string) => Promise<ActionResult> } };
}
