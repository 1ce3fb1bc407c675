'use server';

import { getSession } from '@/lib/auth/session';
import { orchestratorApi } from '@/lib/workspace';

export interface PaletteEntry {
  id: string;
  title: string;
  hint: string;
  href: string;
}

export interface PaletteData {
  approvals: PaletteEntry[];
  conversations: PaletteEntry[];
}

const STATUS_WORD: Record<string, string> = {
  draft: 'Draft',
  submitted: 'Waiting',
  approved: 'Approved',
  rejected: 'Rejected',
};

/** What the command palette can jump to beyond the modules: recent approvals and conversations. */
export async function loadPaletteData(): Promise<PaletteData> {
  const empty: PaletteData = { approvals: [], conversations: [] };
  const session = await getSession();
  if (!session) return empty;
  const api = orchestratorApi(session.accessToken);
  const { activeTenantId } = await api.listTenants().catch(() => ({ activeTenantId: null }));
  if (!activeTenantId) return empty;
  const tenant = api.inTenant(activeTenantId);
  const [approvals, conversations] = await Promise.all([
    tenant.listApprovals({ limit: 30 }).catch(() => null),
    tenant.listConversations({ limit: 30 }).catch(() => null),
  ]);
  return {
    approvals: (approvals?.data ?? []).map((a) => ({
      id: a.id,
      title: a.title,
      hint: STATUS_WORD[a.status] ?? a.status,
      href: `/app/approvals/${a.id}`,
    })),
    conversations: (conversations?.data ?? []).map((c) => ({
      id: c.id,
      title: c.contactName ?? `Conversation #${c.displayId}`,
      hint: `#${c.displayId} · ${c.status}`,
      href: `/app/inbox/${c.id}`,
    })),
  };
}
