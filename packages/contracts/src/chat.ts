import { z } from 'zod';

/**
 * Team chat (Matrix): the rooms the orchestrator keeps for a tenant, as `GET /api/v1/chat/rooms`
 * answers them (modules/chat/server/routes.ts), for the Shell's Team chat page.
 */
export const CHAT_ROOM_KINDS = ['space', 'org', 'team', 'direct'] as const;
export type ChatRoomKind = (typeof CHAT_ROOM_KINDS)[number];

export const chatRoomSchema = z
  .object({
    id: z.uuid(),
    roomId: z.string().describe('The Matrix room id (!…:server)'),
    kind: z.enum(CHAT_ROOM_KINDS),
    name: z.string(),
    lastEventAt: z.string().nullable(),
    lastSender: z.string().nullable(),
    lastExcerpt: z.string().nullable().describe('Plain text, never HTML'),
    elementUrl: z
      .string()
      .nullable()
      .describe("Element's deep link to the room, when ELEMENT_URL is set"),
  })
  .meta({ id: 'ChatRoom' });
export type ChatRoom = z.infer<typeof chatRoomSchema>;

export const matrixStatusSchema = z
  .object({
    configured: z.boolean(),
    missing: z.array(z.string()).describe('The environment variables still to set'),
    elementUrl: z.string().nullable(),
    failing: z
      .object({ since: z.string(), error: z.string() })
      .nullable()
      .describe("Synapse's last failure as this replica saw it; calls into it wait in the outbox"),
  })
  .meta({ id: 'MatrixStatus' });
export type MatrixStatus = z.infer<typeof matrixStatusSchema>;
