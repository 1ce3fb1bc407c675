/**
 * Chatwoot payloads for one demo conversation, made from the contract fixtures with our own
 * ids and text: conversation_created, then message_created (the customer's message), and with
 * labels a conversation_updated that adds them.
 */
type Json = Record<string, unknown>;

export interface DemoConversationInput {
  accountId: number;
  accountName: string;
  displayId: number;
  contactName: string;
  message: string;
  labels: string[];
  messageId?: number;
}

export function demoConversation(
  input: DemoConversationInput,
  fixture: (name: string) => Json,
): Json[] {
  const now = Math.floor(Date.now() / 1000);
  const account = { id: input.accountId, name: input.accountName };
  const conversation = (labels: string[]): Json => {
    const base = structuredClone(fixture('webhooks/conversation_created.json'));
    const meta = base.meta as Json;
    return {
      ...base,
      id: input.displayId,
      account,
      labels,
      status: 'open',
      created_at: now,
      last_activity_at: now,
      timestamp: now,
      meta: { ...meta, sender: { ...(meta.sender as Json), name: input.contactName } },
    };
  };
  const messageId = input.messageId ?? input.displayId * 1000 + (now % 1000);
  const message = structuredClone(fixture('webhooks/message_created.json'));
  const out: Json[] = [
    { ...conversation([]), event: 'conversation_created' },
    {
      ...message,
      id: messageId,
      account,
      content: input.message,
      created_at: new Date().toISOString(),
      sender: { ...(message.sender as Json), name: input.contactName },
      conversation: {
        ...conversation([]),
        messages: [{ id: messageId, content: input.message, message_type: 0, created_at: now }],
      },
      event: 'message_created',
    },
  ];
  if (input.labels.length > 0) {
    out.push({
      ...conversation(input.labels),
      event: 'conversation_updated',
      changed_attributes: [{ label_list: { previous_value: [], current_value: input.labels } }],
    });
  }
  return out;
}
