/**
 * What the inbox module's pages need of the Shell (handed in as `shell`): the active tenant,
 * the conversations API in it, the inbox's state there, the server actions (the escalation,
 * and the Chatwoot Dashboard App's look-up), and the Shell's own parts it shows.
 */
import type {
  Conversation,
  ConversationMessage,
  ModuleSettingField,
  ModuleState,
  StreamEventName,
  Tenant,
} from '@afenda/contracts';
import type { ActionResult, EmbedShell, Loaded, ModuleSubject } from '@afenda/ui';
import type { ReactNode } from 'react';

/** A conversation found for the Chatwoot Dashboard App, in the agent's organisation. */
export type DashboardConversation = { tenantId: string; organisation: string } & Pick<
  Conversation,
  'id' | 'displayId' | 'contactName' | 'status' | 'pendingApprovalId'
>;

/** What the Chatwoot Dashboard App needs (no session: it signs in inside the frame). */
export interface InboxPublicShell {
  actions: {
    chatwoot: {
      lookupConversation: (
        accountId: number,
        displayId: number,
      ) => Promise<
        | { ok: true; conversation: DashboardConversation }
        | { ok: false; reason: 'signed-out' | 'not-found' | 'unavailable'; message: string }
      >;
      escalateFromChatwoot: (
        tenantId: string,
        conversationId: string,
        note: string,
      ) => Promise<
        { ok: true; approvalId: string; created: boolean } | { ok: false; message: string }
      >;
    };
  };
  settings: { chatwootDashboardOrigins: () => string[] };
}

export interface InboxShell extends InboxPublicShell, EmbedShell {
  tenant: Pick<Tenant, 'name'> | null;
  api: {
    listConversations(query?: Record<string, string | number | undefined>): Promise<{
      data: Conversation[];
      nextCursor: string | null;
    }>;
    getConversation(id: string): Promise<{
      conversation: Conversation;
      messages: ConversationMessage[];
    }>;
  } | null;
  load<T>(promise: Promise<T>): Promise<Loaded<T>>;
  moduleState(id: string): Promise<ModuleState | null>;
  describeMissing(
    missing: ModuleSettingField[],
    environment?: Partial<Record<ModuleSettingField, string>>,
  ): string;
  actions: InboxPublicShell['actions'] & {
    inbox: {
      escalateAction: (
        conversationId: string,
        form: {
          question: string;
          category: string;
          amount: string;
          currency: string;
          urgency: string;
          dueAt: string;
          note: string;
        },
      ) => Promise<ActionResult<{ approvalId: string; created: boolean }>>;
    };
  };
  LiveRefresh: (props: { on: StreamEventName[] }) => ReactNode;
  SubjectPanels: (props: { subject: ModuleSubject }) => ReactNode;
  /** Where to sign in again, and come back to this page. */
  signInHref: string;
}
