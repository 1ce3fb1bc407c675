import Link from 'next/link';
import { connection } from 'next/server';
import { ArrowRight, LogIn } from 'lucide-react';
import { Button, Skeleton } from '@afenda/ui';

import { LOGIN_PATH } from '@/lib/auth/paths';
import { getSession } from '@/lib/auth/session';

/** "Open workspace" when signed in, "Sign in" otherwise. */
export async function AccountAction() {
  // Request-time only: it depends on the visitor's cookie.
  await connection();
  const session = await getSession().catch((err: unknown) => {
    console.error('home: the session could not be read:', err);
    return null;
  });
  if (session) {
    return (
      <div className="flex flex-wrap items-center gap-3">
        <Button asChild>
          <Link href="/app">
            Open workspace
            <ArrowRight aria-hidden />
          </Link>
        </Button>
        <span className="text-sm text-muted-foreground">Signed in as {session.user.name}</span>
      </div>
    );
  }
  return (
    <Button asChild>
      {/* A plain link: /auth/login is a route handler that leaves for the provider. */}
      <a href={LOGIN_PATH}>
        <LogIn aria-hidden />
        Sign in
      </a>
    </Button>
  );
}

export function AccountActionSkeleton() {
  return <Skeleton className="h-9 w-28" aria-label="Loading" />;
}
