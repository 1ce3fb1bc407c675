/** The inbox's conversations (mirrored from Chatwoot) in one tenant, and their escalation. */
import type { escalateBodySchema } from '@afenda/contracts';
import {
  approvalSchema,
  conversationDetailSchema,
  conversationSchema,
  type Approval,
} from '@afenda/contracts';
import type { z } from 'zod';

import { getData, getPage, one, segment, type Call, type Query } from './client';

/** What an escalation says: the agent's note, what needs deciding, kind, amount, urgency. */
export type EscalateBody = NonNullable<z.input<typeof escalateBodySchema>>;

export type ConversationDetail = z.infer<typeof conversationDetailSchema>;

export function createConversationsApi(call: Call) {
  return {
    listConversations: (query?: Query) =>
      getPage(call, '/conversations', conversationSchema, query),
    getConversation: (id: string): Promise<ConversationDetail> =>
      getData(call, `/conversations/${segment(id)}`, conversationDetailSchema),
    /** A conversation by Chatwoot's own ids (what the Chatwoot Dashboard App knows). */
    getConversationByRef: (accountId: number, displayId: number): Promise<ConversationDetail> =>
      getData(
        call,
        `/conversations/by-ref/chatwoot/${Math.trunc(accountId)}/${Math.trunc(displayId)}`,
        conversationDetailSchema,
      ),
    /** 201 a new escalation, 200 the one already pending: `created` says which. */
    async escalate(
      id: string,
      escalation: EscalateBody = {},
      via: 'shell' | 'dashboard_app' = 'shell',
    ): Promise<{ approval: Approval; created: boolean }> {
      const { status, body } = await call(
        'POST',
        `/conversations/${segment(id)}/escalate`,
        one(approvalSchema),
        {
          body: escalation,
          idempotent: true,
          // the Shell's own button is the default; only another way in is named
          ...(via === 'shell' ? {} : { query: { via } }),
        },
      );
      return { approval: body.data, created: status === 201 };
    },
  };
}
