import type { Metadata } from 'next';

import { DashboardApp } from './dashboard-app';

export const metadata: Metadata = { title: 'Axis Afenda · Chatwoot' };
export const dynamic = 'force-dynamic';

/**
 * The Chatwoot Dashboard App: register this page's URL in Chatwoot (Settings → Integrations →
 * Dashboard Apps) and set CHATWOOT_DASHBOARD_ORIGINS to Chatwoot's origin. Signing in works
 * inside the frame when Chatwoot and the Shell are on the same site (the session cookie is
 * SameSite=Lax); see docs/webhooks.md.
 */
export default function ChatwootDashboardAppPage() {
  const allowedOrigins = (process.env.CHATWOOT_DASHBOARD_ORIGINS ?? '')
    .split(',')
    .map((o) => o.trim())
    .filter(Boolean);
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
      <DashboardApp allowedOrigins={allowedOrigins} />
    </main>
  );
}
