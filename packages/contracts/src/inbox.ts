import { z } from 'zod';

/** The latest decided escalation of a conversation: what the agent sees on it. */
export const conversationDecisionSchema = z
  .object({
    approvalId: z.uuid(),
    decision: z.enum(['approved', 'rejected']),
    decidedBy: z.uuid().nullable(),
    decidedByName: z.string().nullable().describe("The decider's display name"),
    decidedAt: z.iso.datetime({ offset: true }),
    note: z.string().nullable().describe("The decider's comment (approved) or reason (rejected)"),
  })
  .meta({ id: 'ConversationDecision' });
export type ConversationDecision = z.infer<typeof conversationDecisionSchema>;

/** A Chatwoot conversation as the orchestrator mirrors it (from webhooks), per organisation. */
export const conversationSchema = z
  .object({
    id: z.uuid(),
    tenantId: z.uuid(),
    source: z.literal('chatwoot'),
    accountId: z.number().int().describe('The Chatwoot account'),
    displayId: z.number().int().describe("Chatwoot's per-account conversation id (in its URLs)"),
    inboxId: z.number().int().nullable(),
    status: z.enum(['open', 'resolved', 'pending', 'snoozed']),
    contactName: z.string().nullable(),
    assigneeName: z.string().nullable(),
    teamName: z.string().nullable(),
    labels: z.array(z.string()),
    lastMessagePreview: z.string().nullable(),
    lastActivityAt: z.iso.datetime({ offset: true }),
    createdAt: z.iso.datetime({ offset: true }),
    pendingApprovalId: z.uuid().nullable().describe('A submitted escalation awaiting a decision'),
    lastDecision: conversationDecisionSchema
      .nullable()
      .describe('The most recently decided escalation, if any'),
    chatwootUrl: z.string().nullable().describe('Link into Chatwoot, when its URL is configured'),
  })
  .meta({ id: 'Conversation' });
export type Conversation = z.infer<typeof conversationSchema>;

export const conversationMessageSchema = z
  .object({
    id: z.string(),
    direction: z.enum(['incoming', 'outgoing', 'template']),
    private: z.boolean(),
    senderName: z.string().nullable(),
    content: z.string().describe('Plain text as written; always render as text, never as HTML'),
    createdAt: z.iso.datetime({ offset: true }),
  })
  .meta({ id: 'ConversationMessage' });
export type ConversationMessage = z.infer<typeof conversationMessageSchema>;

export const conversationDetailSchema = z
  .object({
    conversation: conversationSchema,
    messages: z.array(conversationMessageSchema).describe('Oldest first'),
  })
  .meta({ id: 'ConversationDetail' });

export const conversationListQuerySchema = z.object({
  status: z.enum(['open', 'resolved', 'pending', 'snoozed', 'all']).default('all'),
  limit: z.coerce.number().int().min(1).max(100).default(25),
  cursor: z.string().max(200).optional(),
});

/** POST /api/v1/conversations/:id/escalate: 201 with a new approval, 200 with the pending one. */
export const ESCALATION_CATEGORIES = ['refund', 'discount', 'exception', 'other'] as const;
export const URGENCIES = ['low', 'normal', 'high', 'urgent'] as const;
export type Urgency = (typeof URGENCIES)[number];

/** What the decider reads first: what needs deciding, its kind, the money at stake, how soon. */
export const escalationDetailsSchema = z
  .object({
    question: z
      .string()
      .trim()
      .min(3)
      .max(200)
      .describe('What needs deciding, e.g. "Refund the second month for Jane Doe?"'),
    category: z.enum(ESCALATION_CATEGORIES).optional(),
    amount: z
      .string()
      .regex(/^\d{1,12}(\.\d{1,2})?$/, 'must be a positive amount like 120 or 120.50')
      .optional()
      .describe('The money at stake, a decimal string (with currency)'),
    currency: z
      .string()
      .regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code like EUR')
      .optional()
      .describe('ISO 4217, required with amount'),
    urgency: z.enum(URGENCIES).optional().describe('Default normal'),
    dueAt: z.iso.datetime({ offset: true }).optional().describe('Decide by'),
  })
  .meta({ id: 'EscalationDetails' });
export type EscalationDetails = z.infer<typeof escalationDetailsSchema>;

export const escalateBodySchema = z
  .object({
    note: z.string().trim().max(2000).optional(),
    ...escalationDetailsSchema.partial({ question: true }).shape,
  })
  .superRefine((body, ctx) => {
    if ((body.amount === undefined) !== (body.currency === undefined))
      ctx.addIssue({
        code: 'custom',
        path: [body.amount === undefined ? 'amount' : 'currency'],
        message: 'amount and currency go together',
      });
    if (body.amount !== undefined && Number(body.amount) <= 0)
      ctx.addIssue({ code: 'custom', path: ['amount'], message: 'must be more than 0' });
  })
  .default({});
