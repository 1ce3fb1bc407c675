/**
 * The inbox module's Shell UI (Chatwoot): /app/inbox, one conversation, Chatwoot's own dashboard
 * (/app/inbox/chatwoot), the escalation's context on its approval, and the Chatwoot Dashboard
 * App (/chatwoot/dashboard-app).
 */
import { embeddedPage, type ModuleWeb } from '@afenda/ui';

import { manifest } from '../manifest';
import { ApprovalConversation } from './approval-context';
import { conversationPage } from './conversation-page';
import { DashboardApp } from './dashboard-app';
import { inboxPage } from './inbox-page';
import type { InboxPublicShell, InboxShell } from './types';

export const web: ModuleWeb<InboxShell, InboxPublicShell> = {
  manifest,
  pages: {
    '': inboxPage,
    ':id': conversationPage,
    chatwoot: embeddedPage({
      moduleId: 'inbox',
      returnTo: '/app/inbox/chatwoot',
      title: 'Chatwoot',
      description: "Chatwoot's own dashboard, for what the Shell's inbox doesn't do.",
    }),
  },
  standalone: {
    'dashboard-app': {
      title: 'Axis Afenda · Chatwoot',
      render: ({ shell }) => <DashboardAppPage shell={shell} />,
    },
  },
  approvalContext: ({ approval, details, shell }) => (
    <ApprovalConversation approval={approval} details={details} shell={shell} />
  ),
};

/**
 * The Chatwoot Dashboard App: register its URL in Chatwoot (Settings → Integrations → Dashboard
 * Apps) and set CHATWOOT_DASHBOARD_ORIGINS to Chatwoot's origin. Signing in works inside the
 * frame when Chatwoot and the Shell are on the same site (the session cookie is SameSite=Lax);
 * see docs/webhooks.md.
 */
function DashboardAppPage({ shell }: { shell: InboxPublicShell }) {
  const allowedOrigins = shell.settings.chatwootDashboardOrigins();
  if (allowedOrigins.length === 0) {
    return (
      <main className="m-4 text-sm">
        <p>
          The Chatwoot Dashboard App is not configured: set CHATWOOT_DASHBOARD_ORIGINS on the Shell
          to Chatwoot&apos;s origin (e.g. https://chatwoot.example.com).
        </p>
      </main>
    );
  }
  return (
    <main>
      <DashboardApp allowedOrigins={allowedOrigins} actions={shell.actions.chatwoot} />
    </main>
  );
}
