import type { Metadata } from 'next';
import type { ReactNode } from 'react';
import Link from 'next/link';
import { LogOut } from 'lucide-react';
import { Badge, Button } from '@afenda/ui';

import { requireSession } from '@/lib/auth/session';
import { LOGOUT_PATH } from '@/lib/auth/paths';
import { loadWorkspace, type Workspace } from '@/lib/workspace';
import { ThemeToggle } from '../components/theme-toggle';
import { TenantSwitcher } from './tenant-switcher';

export const metadata: Metadata = {
  title: 'Workspace',
};

/** The signed-in Shell: every page under /app has a session (checked here, on the server). */
export default async function AppLayout({ children }: Readonly<{ children: ReactNode }>) {
  const session = await requireSession();
  // The header degrades on its own when the orchestrator is away; the page says why.
  const workspace: Workspace | null = await loadWorkspace(session.accessToken).catch(() => null);

  return (
    <div className="flex min-h-dvh flex-col">
      <header className="sticky top-0 z-40 border-b bg-background/95 backdrop-blur supports-[backdrop-filter]:bg-background/80">
        <div className="mx-auto flex h-14 w-full max-w-5xl items-center gap-2 px-4 sm:gap-3 sm:px-6">
          <Link href="/app" className="shrink-0 text-sm font-semibold tracking-tight">
            Axis Afenda
          </Link>
          <span aria-hidden className="hidden h-5 w-px shrink-0 bg-border sm:block" />
          {workspace ? (
            <TenantSwitcher
              tenants={workspace.tenants}
              activeTenantId={workspace.active?.id ?? null}
            />
          ) : (
            <Badge variant="outline" className="text-muted-foreground">
              Tenants unavailable
            </Badge>
          )}
          <div className="ml-auto flex shrink-0 items-center gap-2 sm:gap-3">
            <div className="hidden sm:block">
              <ThemeToggle />
            </div>
            <span
              className="hidden max-w-48 truncate text-sm text-muted-foreground sm:inline"
              data-testid="user-name"
              title={session.user.email ?? session.user.username}
            >
              {session.user.name}
            </span>
            <form method="post" action={LOGOUT_PATH}>
              <Button type="submit" variant="outline" size="sm" aria-label="Sign out">
                <LogOut aria-hidden />
                <span className="hidden sm:inline">Sign out</span>
              </Button>
            </form>
          </div>
        </div>
      </header>
      <main className="mx-auto w-full max-w-5xl flex-1 px-4 py-10 sm:px-6">{children}</main>
    </div>
  );
}
