import type { Metadata } from 'next';
import type { ReactNode } from 'react';
import Link from 'next/link';
import { cookies } from 'next/headers';
import { Badge, TimeProvider, TZ_COOKIE } from '@afenda/ui';

import { requireSession } from '@/lib/auth/session';
import { LOGOUT_PATH } from '@/lib/auth/paths';
import { buildRegistry } from '@/lib/modules/registry';
import { loadModuleStates, loadWorkspace, orchestratorApi, type Workspace } from '@/lib/workspace';
import { CommandPalette } from './_shell/command-palette';
import { LiveIndicator } from './_shell/live-indicator';
import { LiveProvider } from './_shell/live-provider';
import { MobileNav } from './_shell/mobile-nav';
import { NavLinks } from './_shell/nav-links';
import { navigationFor } from './_shell/navigation';
import { NotificationBell } from './_shell/notification-bell';
import { LOGOUT_FORM_ID, UserMenu } from './_shell/user-menu';
import { TenantSwitcher } from './tenant-switcher';
import { ThemedToaster } from '../components/themed-toaster';

export const metadata: Metadata = {
  title: 'Workspace',
};

/**
 * The signed-in Shell: a sidebar of the active tenant's modules, a top bar (tenant, search, bell,
 * account), and the live stream for every page below. The session is checked here, on the server.
 */
export default async function AppLayout({ children }: Readonly<{ children: ReactNode }>) {
  const session = await requireSession();
  // The chrome degrades on its own when the orchestrator is away; the page says why.
  const workspace: Workspace | null = await loadWorkspace(session.accessToken).catch(() => null);
  const active = workspace?.active ?? null;
  const api = orchestratorApi(session.accessToken);
  const [states, unreadByTenant] = await Promise.all([
    active ? loadModuleStates(session.accessToken, active.id) : null,
    // Every tenant's unread count, for the switcher (a handful of small reads, in parallel).
    Promise.all(
      (workspace?.tenants ?? []).map(async (t) => {
        const n = await api
          .inTenant(t.id)
          .unreadCount()
          .catch(() => null);
        return [t.id, n] as const;
      }),
    ),
  ]);
  const unreadMap = Object.fromEntries(
    unreadByTenant.filter((e): e is readonly [string, number] => e[1] !== null),
  );
  const unread = active ? (unreadMap[active.id] ?? null) : null;
  const registry = buildRegistry(states);
  // Members read whom to ask about a tool that isn't connected (owners and admins, what it needs).
  const contacts =
    active &&
    active.role !== 'owner' &&
    active.role !== 'admin' &&
    registry.some((m) => m.state === 'not_configured')
      ? await api.listContacts(active.id).catch(() => [])
      : [];
  const sections = navigationFor(registry, active?.role ?? null, contacts);

  const timeZone = (await cookies()).get(TZ_COOKIE)?.value;
  return (
    <TimeProvider timeZone={timeZone}>
      <LiveProvider tenantId={active?.id ?? null}>
        <a
          href="#main"
          className="sr-only z-50 rounded-md bg-background px-3 py-2 text-sm focus:not-sr-only focus:fixed focus:top-2 focus:left-2 focus:ring-2 focus:ring-ring"
        >
          Skip to content
        </a>
        <div className="flex min-h-dvh">
          <aside className="sticky top-0 hidden h-dvh w-60 shrink-0 flex-col gap-4 overflow-y-auto border-r bg-sidebar px-2 py-3 text-sidebar-foreground md:flex">
            <Link
              href="/app"
              className="px-2 py-1 text-sm font-semibold tracking-tight outline-none focus-visible:ring-[3px] focus-visible:ring-ring/50"
            >
              Axis Afenda
            </Link>
            <NavLinks sections={sections} />
          </aside>
          <div className="flex min-w-0 flex-1 flex-col">
            <header className="sticky top-0 z-40 border-b bg-background/95 backdrop-blur supports-[backdrop-filter]:bg-background/80">
              <div className="flex h-14 w-full items-center gap-2 px-3 sm:gap-3 sm:px-6">
                <MobileNav sections={sections} />
                <Link
                  href="/app"
                  className="shrink-0 text-sm font-semibold tracking-tight md:hidden"
                >
                  <span className="sr-only sm:not-sr-only">Axis Afenda</span>
                  <span aria-hidden className="sm:hidden">
                    AA
                  </span>
                </Link>
                {workspace ? (
                  <TenantSwitcher
                    tenants={workspace.tenants}
                    activeTenantId={active?.id ?? null}
                    unread={unreadMap}
                  />
                ) : (
                  <Badge variant="outline" className="text-muted-foreground">
                    Tenants unavailable
                  </Badge>
                )}
                <div className="ml-auto flex shrink-0 items-center gap-1 sm:gap-2">
                  <LiveIndicator />
                  <CommandPalette
                    tenantId={active?.id ?? null}
                    items={sections.flatMap((s) => s.items)}
                    tenants={(workspace?.tenants ?? [])
                      .filter((t) => t.id !== active?.id)
                      .map((t) => ({ id: t.id, name: t.name }))}
                    canApprove={active?.canApprove ?? false}
                    canRequest={active !== null && active.role !== 'viewer'}
                  />
                  <NotificationBell key={`${active?.id}:${unread}`} initialCount={unread} />
                  <form id={LOGOUT_FORM_ID} method="post" action={LOGOUT_PATH} hidden />
                  <UserMenu name={session.user.name} email={session.user.email} />
                </div>
              </div>
            </header>
            <main
              id="main"
              tabIndex={-1}
              className="mx-auto w-full max-w-5xl flex-1 px-4 py-8 outline-none sm:px-6"
            >
              {children}
            </main>
          </div>
        </div>
      </LiveProvider>
      <ThemedToaster />
    </TimeProvider>
  );
}
