import { z } from 'zod';

/** One user's notification, raised by a domain event (approval submitted, decided, ...). */
export const notificationSchema = z
  .object({
    id: z.uuid(),
    tenantId: z.uuid(),
    kind: z.string().describe('e.g. approval.submitted, approval.decided'),
    title: z.string(),
    body: z.string(),
    subjectType: z.string().describe('e.g. approval, conversation, room, board'),
    subjectId: z.string(),
    url: z.string().describe('Shell path to open, e.g. /app/approvals/<id>'),
    readAt: z.iso.datetime({ offset: true }).nullable(),
    createdAt: z.iso.datetime({ offset: true }),
  })
  .meta({ id: 'Notification' });
export type Notification = z.infer<typeof notificationSchema>;

export const notificationListQuerySchema = z.object({
  unread: z.enum(['true', 'false']).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(25),
  cursor: z.string().max(200).optional(),
});

export const unreadCountSchema = z.object({ count: z.number().int().nonnegative() });

/**
 * GET /api/v1/stream (Server-Sent Events). Each event has an `id:` (resume with Last-Event-ID),
 * an `event:` name and JSON `data:`. Names: `notification` (a Notification), `activity` (an
 * ActivityEntry), `approval` (an Approval whose status changed), `conversation` (a Conversation
 * that changed). Comments (`: ping`) are heartbeats.
 */
export const STREAM_EVENT_NAMES = ['notification', 'activity', 'approval', 'conversation'] as const;
export type StreamEventName = (typeof STREAM_EVENT_NAMES)[number];
