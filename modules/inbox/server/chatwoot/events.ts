/**
 * Chatwoot webhook payloads, as far as the orchestrator reads them (see
 * the recorded payloads in packages/test-utils/fixtures/chatwoot): lenient objects, the fields we use checked, the
 * rest kept. Timestamps differ by place (ISO at the top level, unix seconds inside a
 * conversation), and so does message_type (a string at the top, an integer inside).
 */
import { z } from 'zod';

/** Webhook::ALLOWED_WEBHOOK_EVENTS in Chatwoot 4.15: anything else is refused. */
export const CHATWOOT_EVENTS = [
  'conversation_status_changed',
  'conversation_updated',
  'conversation_created',
  'contact_created',
  'contact_updated',
  'message_created',
  'message_updated',
  'webwidget_triggered',
  'inbox_created',
  'inbox_updated',
  'conversation_typing_on',
  'conversation_typing_off',
] as const;
export type ChatwootEvent = (typeof CHATWOOT_EVENTS)[number];

/** The events the mirror acts on; the others are stored and marked ignored. */
export const HANDLED_EVENTS = new Set<ChatwootEvent>([
  'message_created',
  'message_updated',
  'conversation_created',
  'conversation_updated',
  'conversation_status_changed',
]);

const id = z.number().int().nonnegative();
const person = z
  .object({ id: id.optional(), name: z.string().nullish(), email: z.string().nullish() })
  .loose();

export const conversationPayload = z
  .object({
    id,
    inbox_id: id.nullish(),
    status: z.enum(['open', 'resolved', 'pending', 'snoozed']),
    labels: z.array(z.string()).default([]),
    meta: z
      .object({
        sender: person.nullish(),
        assignee: person.nullish(),
        team: z.object({ id: id.optional(), name: z.string() }).loose().nullish(),
      })
      .loose()
      .default({}),
    created_at: z.number().nullish(),
    last_activity_at: z.number().nullish(),
    account: z.object({ id }).loose().optional(),
  })
  .loose();
export type ConversationPayload = z.infer<typeof conversationPayload>;

const changedAttributes = z
  .array(
    z.record(z.string(), z.object({ previous_value: z.unknown(), current_value: z.unknown() })),
  )
  .nullish();

export const conversationEvent = conversationPayload.extend({
  account: z.object({ id }).loose(),
  changed_attributes: changedAttributes,
});

export const messageEvent = z
  .object({
    id,
    account: z.object({ id }).loose(),
    content: z.string().nullish(),
    message_type: z.enum(['incoming', 'outgoing', 'template']),
    private: z.boolean().default(false),
    created_at: z.string().nullish(),
    sender: person.nullish(),
    conversation: conversationPayload,
  })
  .loose();
export type MessageEvent = z.infer<typeof messageEvent>;
export type ConversationEvent = z.infer<typeof conversationEvent>;

/** The envelope every delivery shares: its event name and (for most) the account. */
export const deliveryHead = z
  .object({
    event: z.string(),
    account: z.object({ id }).loose().optional(),
    account_id: id.optional(),
  })
  .loose();

/** `changed_attributes` as a map: attribute → {previous, current}. */
export function changes(
  list: z.infer<typeof changedAttributes>,
): Map<string, { previous: unknown; current: unknown }> {
  const out = new Map<string, { previous: unknown; current: unknown }>();
  for (const entry of list ?? []) {
    for (const [key, value] of Object.entries(entry))
      out.set(key, { previous: value.previous_value, current: value.current_value });
  }
  return out;
}

/** What the mirror keeps of a conversation payload. */
export function conversationFields(c: ConversationPayload) {
  return {
    displayId: c.id,
    inboxId: c.inbox_id ?? null,
    status: c.status,
    labels: c.labels,
    contactName: c.meta.sender?.name ?? null,
    assigneeName: c.meta.assignee?.name ?? null,
    assigneeEmail: c.meta.assignee?.email ?? null,
    teamName: c.meta.team?.name ?? null,
    createdAt: c.created_at ? new Date(c.created_at * 1000) : null,
    lastActivityAt: c.last_activity_at ? new Date(c.last_activity_at * 1000) : null,
  };
}
