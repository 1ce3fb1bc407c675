import { z } from 'zod';

/** Where a stored webhook delivery stands. The database's check constraint lists the same. */
export const DELIVERY_STATUSES = [
  'received',
  'processed',
  'ignored',
  'unmapped',
  'failed',
  'dead',
] as const;
export const deliveryStatusSchema = z.enum(DELIVERY_STATUSES);
export type DeliveryStatus = z.infer<typeof deliveryStatusSchema>;

/** Where an outbound call into a tool stands. */
export const OUTBOUND_STATUSES = ['pending', 'done', 'failed', 'dead'] as const;
export const outboundStatusSchema = z.enum(OUTBOUND_STATUSES);

/** The answer to a webhook delivery (202 stored, 200 a repeat that changed nothing). */
export const webhookAcceptedSchema = z.object({
  id: z.uuid().describe('The stored delivery (see /api/v1/admin/deliveries/{id})'),
  deliveryId: z.string(),
  status: deliveryStatusSchema,
  duplicate: z.boolean().describe('This delivery id was stored before: nothing changed'),
});

/** A stored delivery, as operators and an organisation's admins see it. */
export const deliverySchema = z
  .object({
    id: z.uuid(),
    source: z.string(),
    deliveryId: z.string(),
    tenantId: z.uuid().nullable(),
    accountRef: z.string().nullable(),
    eventType: z.string(),
    verified: z.boolean(),
    status: deliveryStatusSchema,
    reason: z.string().nullable(),
    attempts: z.number(),
    lastError: z.string().nullable(),
    nextAttemptAt: z.string().nullable(),
    receivedAt: z.string(),
    processedAt: z.string().nullable(),
  })
  .meta({ id: 'WebhookDelivery' });
export type DeliveryView = z.infer<typeof deliverySchema>;

/** An outbound call into a tool (a note back to Chatwoot, ...), with its attempts. */
export const outboundSchema = z
  .object({
    id: z.uuid(),
    kind: z.string(),
    subjectId: z.string(),
    status: outboundStatusSchema,
    attempts: z.number(),
    lastError: z.string().nullable(),
    result: z.record(z.string(), z.unknown()).nullable(),
    nextAttemptAt: z.string().nullable(),
    createdAt: z.string(),
    doneAt: z.string().nullable(),
  })
  .meta({ id: 'OutboundAction' });
export type OutboundView = z.infer<typeof outboundSchema>;
