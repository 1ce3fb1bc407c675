import { z } from 'zod';

export const APPROVAL_STATUSES = ['draft', 'submitted', 'approved', 'rejected'] as const;
export const approvalStatusSchema = z.enum(APPROVAL_STATUSES);
export type ApprovalStatus = z.infer<typeof approvalStatusSchema>;

export const approvalSchema = z
  .object({
    id: z.uuid(),
    tenantId: z.uuid(),
    type: z.string(),
    status: approvalStatusSchema,
    title: z.string(),
    description: z.string(),
    source: z.string(),
    sourceRef: z.string().nullable(),
    metadata: z.record(z.string(), z.unknown()),
    requestedBy: z.uuid(),
    decidedBy: z.uuid().nullable(),
    decision: z.enum(['approved', 'rejected']).nullable(),
    decisionComment: z.string().nullable(),
    createdAt: z.iso.datetime({ offset: true }),
    submittedAt: z.iso.datetime({ offset: true }).nullable(),
    decidedAt: z.iso.datetime({ offset: true }).nullable(),
    requestedByName: z
      .string()
      .nullable()
      .optional()
      .describe("The requester's display name (in lists)"),
    decidedByName: z
      .string()
      .nullable()
      .optional()
      .describe("The decider's display name (in lists)"),
  })
  .meta({ id: 'Approval' });
export type Approval = z.infer<typeof approvalSchema>;

export const createApprovalBodySchema = z
  .object({
    type: z
      .string()
      .min(1)
      .max(64)
      .describe('A registered approval type: ceo_approval, consultation_room, generic'),
    title: z.string().trim().min(1).max(200),
    description: z.string().max(5000).default(''),
    source: z
      .string()
      .regex(/^[a-z][a-z0-9_-]{0,31}$/)
      .default('shell')
      .describe('Where the request comes from: shell, chatwoot, matrix, ...'),
    sourceRef: z
      .string()
      .max(200)
      .optional()
      .describe("The source's own id, e.g. a Chatwoot conversation"),
    metadata: z.record(z.string(), z.unknown()).default({}),
    submit: z.boolean().default(false).describe('Submit at once instead of creating a draft'),
  })
  .meta({ id: 'CreateApproval' });

export const approveBodySchema = z
  .object({ comment: z.string().trim().max(2000).optional() })
  .default({});
export const rejectBodySchema = z
  .object({ reason: z.string().trim().max(2000).optional() })
  .default({});

export const approvalListQuerySchema = z.object({
  status: approvalStatusSchema.optional(),
  type: z.string().max(64).optional(),
  source: z.string().max(32).optional(),
  requested_by: z.union([z.uuid(), z.literal('me')]).optional(),
  awaiting: z.literal('me').optional().describe('Only submitted requests the caller may decide'),
  decided_by: z.literal('me').optional().describe('Only requests the caller decided'),
  limit: z.coerce.number().int().min(1).max(100).default(25),
  cursor: z.string().max(200).optional(),
});

export const activityEntrySchema = z
  .object({
    id: z.uuid(),
    tenantId: z.uuid(),
    occurredAt: z.iso.datetime({ offset: true }),
    type: z.string(),
    source: z.string(),
    actorId: z.uuid().nullable(),
    subjectType: z.string(),
    subjectId: z.string(),
    title: z.string(),
    description: z.string(),
    data: z.record(z.string(), z.unknown()),
  })
  .meta({ id: 'ActivityEntry' });
export type ActivityEntry = z.infer<typeof activityEntrySchema>;

export const activityListQuerySchema = z.object({
  type: z.string().max(64).optional(),
  source: z.string().max(32).optional(),
  user: z.uuid().optional(),
  since: z.iso.datetime({ offset: true }).optional(),
  until: z.iso.datetime({ offset: true }).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(200).optional(),
});

export const ledgerVerificationSchema = z
  .object({
    valid: z.boolean(),
    checked: z.number(),
    firstBroken: z.object({ seq: z.number(), eventId: z.uuid(), reason: z.string() }).nullable(),
  })
  .meta({ id: 'LedgerVerification' });

/** One entry of an approval's ledger (append-only, hash-chained per tenant), oldest first. */
export const approvalEventSchema = z
  .object({
    id: z.uuid(),
    seq: z.number().int(),
    approvalId: z.uuid(),
    eventType: z.string(),
    fromStatus: z.string().nullable(),
    toStatus: z.string(),
    actorId: z.uuid().nullable(),
    actorName: z.string().nullable(),
    data: z.record(z.string(), z.unknown()),
    occurredAt: z.iso.datetime({ offset: true }),
    hash: z.string().describe('Hex SHA-256 chaining this event to the previous one'),
  })
  .meta({ id: 'ApprovalEvent' });
export type ApprovalEvent = z.infer<typeof approvalEventSchema>;
