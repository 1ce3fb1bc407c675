import { Suspense } from 'react';
import { CheckCircle2, Inbox, MessagesSquare, PenTool, Video, type LucideIcon } from 'lucide-react';

import { AccountAction, AccountActionSkeleton } from './components/account-action';
import { ThemeToggle } from './components/theme-toggle';

/** What the product does, in the words of the people who use it; nothing about how it runs. */
const FEATURES: { icon: LucideIcon; title: string; text: string }[] = [
  {
    icon: Inbox,
    title: 'Inbox',
    text: 'Customer conversations in one list; escalate a case and see the decision on it.',
  },
  {
    icon: CheckCircle2,
    title: 'Approvals',
    text: 'Decide with the context in front of you; every decision is kept in a tamper-evident ledger.',
  },
  { icon: MessagesSquare, title: 'Team chat', text: 'Talk it through with your team.' },
  { icon: Video, title: 'Meetings', text: 'Consultation rooms, opened when approved.' },
  { icon: PenTool, title: 'Whiteboards', text: 'Sketch together, live.' },
];

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
              One workspace for your team’s inbox, approvals, chat, meetings and whiteboards.
            </p>
          </div>
          <Suspense fallback={<AccountActionSkeleton />}>
            <AccountAction />
          </Suspense>
        </div>
        <ul className="grid gap-4 sm:grid-cols-2" data-testid="product-features">
          {FEATURES.map(({ icon: Icon, title, text }) => (
            <li key={title} className="flex gap-3 rounded-lg border p-4">
              <Icon aria-hidden className="mt-0.5 size-5 shrink-0 text-muted-foreground" />
              <div className="space-y-1">
                <h2 className="text-sm font-medium">{title}</h2>
                <p className="text-sm text-muted-foreground">{text}</p>
              </div>
            </li>
          ))}
        </ul>
      </main>
    </div>
  );
}
