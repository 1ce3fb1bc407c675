'use server';

import type { Conversation } from '@afenda/contracts';

import { getSession } from '@/lib/auth/session';
import { isUuid } from '@/lib/actions';
import { OrchestratorApiError } from '@/lib/api/client';
import { flattenTenants } from '@/lib/api/tenants';
import { orchestratorApi } from '@/lib/workspace';

/** The conversation Chatwoot shows, and the organisation (tenant) that has it. */
export type DashboardConversation = { tenantId: string; organisation: string } & Pick<
  Conversation,
  'id' | 'displayId' | 'contactName' | 'status' | 'pendingApprovalId'
>;

export type LookupResult =
  | { ok: true; conversation: DashboardConversation }
  | { ok: false; reason: 'signed-out' | 'not-found' | 'unavailable'; message: string };

/**
 * The conversation Chatwoot shows, in whichever of the agent's organisations receives its
 * account (the agent's active tenant may be their own, not the organisation's).
 */
export async function lookupConversation(
  accountId: number,
  displayId: number,
): Promise<LookupResult> {
  if (
    !Number.isInteger(accountId) ||
    !Number.isInteger(displayId) ||
    accountId < 0 ||
    displayId < 0
  )
    return { ok: false, reason: 'not-found', message: 'Chatwoot sent no conversation.' };
  const session = await getSession();
  if (!session)
    return { ok: false, reason: 'signed-out', message: 'Sign in to Axis Afenda first.' };
  try {
    const api = orchestratorApi(session.accessToken);
    const orgs = flattenTenants((await api.listTenants()).tenants).filter(
      (t) => t.kind === 'organization',
    );
    for (const org of orgs) {
      try {
        const { conversation } = await api
          .inTenant(org.id)
          .getConversationByRef(accountId, displayId);
        return {
          ok: true,
          conversation: {
            tenantId: org.id,
            organisation: org.name,
            id: conversation.id,
            displayId: conversation.displayId,
            contactName: conversation.contactName,
            status: conversation.status,
            pendingApprovalId: conversation.pendingApprovalId,
          },
        };
      } catch (err) {
        if (!(err instanceof OrchestratorApiError && err.status === 404)) throw err;
      }
    }
    return {
      ok: false,
      reason: 'not-found',
      message:
        'None of your organisations has received this conversation yet (is its Chatwoot account connected?).',
    };
  } catch (err) {
    console.error('dashboard app: lookup failed:', err);
    return {
      ok: false,
      reason: 'unavailable',
      message: 'The workspace service could not be reached.',
    };
  }
}

export type EscalateResult =
  { ok: true; approvalId: string; created: boolean } | { ok: false; message: string };

/** The same escalation as the Shell's Inbox button (one code path in the orchestrator). */
export async function escalateFromChatwoot(
  tenantId: string,
  conversationId: string,
  note: string,
): Promise<EscalateResult> {
  if (!isUuid(tenantId) || !isUuid(conversationId))
    return { ok: false, message: 'No such conversation.' };
  const text = typeof note === 'string' ? note.trim().slice(0, 2000) : '';
  const session = await getSession();
  if (!session) return { ok: false, message: 'Your session has ended: sign in again.' };
  try {
    const { approval, created } = await orchestratorApi(session.accessToken)
      .inTenant(tenantId)
      .escalate(conversationId, text ? { note: text } : {}, 'dashboard_app');
    return { ok: true, approvalId: approval.id, created };
  } catch (err) {
    if (err instanceof OrchestratorApiError) return { ok: false, message: err.message };
    console.error('dashboard app: escalation failed:', err);
    return { ok: false, message: 'The workspace service could not be reached. Try again.' };
  }
}
