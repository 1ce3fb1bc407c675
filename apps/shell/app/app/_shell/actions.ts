'use server';

import { activeTenantApi } from '@/lib/actions';

export interface PaletteEntry {
  id: string;
  title: string;
  hint: string;
  href: string;
}

export interface PaletteData {
  approvals: PaletteEntry[];
  conversations: PaletteEntry[];
  /** Waiting for the caller's decision, oldest first (deciders only). */
  waiting: PaletteEntry[];
}

const STATUS_WORD: Record<string, string> = {
  draft: 'Draft',
  submitted: 'Waiting',
  approved: 'Approved',
  rejected: 'Rejected',
};

/** What the command palette can jump to beyond the modules: recent approvals and conversations. */
export async function loadPaletteData(): Promise<PaletteData> {
  const empty: PaletteData = { approvals: [], conversations: [], waiting: [] };
  const { api: tenant } = await activeTenantApi().catch(() => ({ api: null }));
  if (!tenant) return empty;
  const [approvals, conversations, waiting] = await Promise.all([
    tenant.listApprovals({ limit: 30 }).catch(() => null),
    tenant.listConversations({ limit: 30 }).catch(() => null),
    tenant.listApprovals({ awaiting: 'me', limit: 100 }).catch(() => null),
  ]);
  return {
    waiting: (waiting?.data ?? [])
      .slice()
      .sort((a, b) => (a.submittedAt ?? a.createdAt).localeCompare(b.submittedAt ?? b.createdAt))
      .slice(0, 3)
      .map((a) => ({ id: a.id, title: a.title, hint: 'Waiting', href: `/app/approvals/${a.id}` })),
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
