import { Suspense } from 'react';

import { AccountAction, AccountActionSkeleton } from './components/account-action';
import { HealthCard, HealthCardSkeleton } from './components/health-card';
import { ThemeToggle } from './components/theme-toggle';

export default function HomePage() {
  return (
    <div className="flex min-h-dvh flex-col">
      <header className="flex items-center justify-between border-b px-6 py-3">
        <span className="text-sm font-semibold tracking-tight">Axis Afenda</span>
        <ThemeToggle />
      </header>
      <main className="mx-auto flex w-full max-w-2xl flex-1 flex-col gap-8 px-6 py-12">
        <div className="space-y-4">
          <div className="space-y-2">
            <h1 className="text-3xl font-semibold tracking-tight">Axis Afenda</h1>
            <p className="text-muted-foreground">
              One workspace for your team’s inbox, chat, video and whiteboards.
            </p>
          </div>
          <Suspense fallback={<AccountActionSkeleton />}>
            <AccountAction />
          </Suspense>
        </div>
        <Suspense fallback={<HealthCardSkeleton />}>
          <HealthCard />
        </Suspense>
      </main>
    </div>
  );
}
