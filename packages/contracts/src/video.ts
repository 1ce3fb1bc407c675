import { z } from 'zod';

/**
 * Consultation rooms (Jitsi Meet): opened by an approved `consultation_room` request or by a
 * member allowed to open one, joined with a per-user token, ended by their moderator or expired.
 */
export const ROOM_STATES = ['open', 'ended', 'expired'] as const;
export const roomStateSchema = z.enum(ROOM_STATES);
export type RoomState = z.infer<typeof roomStateSchema>;

export const roomParticipantSchema = z
  .object({
    userId: z.uuid(),
    displayName: z.string(),
    moderator: z.boolean(),
    firstJoinedAt: z.iso.datetime({ offset: true }).nullable(),
  })
  .meta({ id: 'RoomParticipant' });
export type RoomParticipant = z.infer<typeof roomParticipantSchema>;

export const roomSchema = z
  .object({
    id: z.uuid(),
    tenantId: z.uuid(),
    roomName: z.string().describe('The Jitsi room name: random, at least 128 bits'),
    topic: z.string(),
    state: roomStateSchema.describe('open until ended or past expiresAt'),
    moderatorId: z.uuid().nullable(),
    participants: z.array(roomParticipantSchema),
    approvalId: z.uuid().nullable().describe('The approval that opened it, if one did'),
    createdBy: z.uuid().nullable(),
    createdAt: z.iso.datetime({ offset: true }),
    expiresAt: z.iso.datetime({ offset: true }),
    endedAt: z.iso.datetime({ offset: true }).nullable(),
    endedBy: z.uuid().nullable(),
  })
  .meta({ id: 'Room' });
export type Room = z.infer<typeof roomSchema>;

export const createRoomBodySchema = z
  .object({
    participants: z
      .array(z.uuid())
      .min(1)
      .max(50)
      .describe('User ids of members of the tenant; the moderator is added if missing'),
    moderator: z.uuid().optional().describe('Defaults to the caller'),
    topic: z.string().trim().max(200).default(''),
    durationMinutes: z
      .number()
      .int()
      .min(5)
      .max(480)
      .optional()
      .describe('Defaults to ROOM_TTL_MINUTES (120)'),
  })
  .strict()
  .meta({ id: 'CreateRoom' });
export type CreateRoomBody = z.infer<typeof createRoomBodySchema>;

export const roomListQuerySchema = z.object({
  state: roomStateSchema.optional(),
  limit: z.coerce.number().int().min(1).max(100).default(25),
  cursor: z.string().max(200).optional(),
});

/** What the Shell needs to know about the Jitsi deployment (from the list's meta). */
export const jitsiStatusSchema = z
  .object({
    configured: z.boolean(),
    url: z.string().nullable().describe('JITSI_URL, e.g. https://meet.example'),
  })
  .meta({ id: 'JitsiStatus' });
export type JitsiStatus = z.infer<typeof jitsiStatusSchema>;

export const roomJoinSchema = z
  .object({
    url: z.string().describe('The meeting URL with ?jwt=<token>'),
    token: z.string().describe("The caller's Jitsi JWT for this room"),
    roomName: z.string(),
    jitsiUrl: z.string().describe('JITSI_URL: the IFrame API is at <this>/external_api.js'),
    domain: z.string().describe('host[:port] for new JitsiMeetExternalAPI(domain, …)'),
    expiresAt: z.iso.datetime({ offset: true }).describe("The room's expiry"),
    tokenExpiresAt: z.iso.datetime({ offset: true }).describe('Never later than expiresAt'),
    moderator: z.boolean(),
    topic: z.string(),
  })
  .meta({ id: 'RoomJoin' });
export type RoomJoin = z.infer<typeof roomJoinSchema>;
