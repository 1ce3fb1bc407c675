import type { Metadata } from 'next';
import Link from 'next/link';
import { Button } from '@afenda/ui';

import { loginPath, type AuthErrorReason } from '@/lib/auth/paths';
import { sanitizeReturnTo } from '@/lib/auth/return-to';

export const metadata: Metadata = { title: 'Sign-in problem' };

const MESSAGES: Record<AuthErrorReason, { title: string; text: string }> = {
  expired: {
    title: 'Your sign-in expired',
    text: 'Signing in took too long, or was started in another window. Start again.',
  },
  denied: {
    title: 'Sign-in was cancelled',
    text: 'The identity provider did not sign you in. You can try again.',
  },
  failed: {
    title: 'Sign-in could not be completed',
    text: 'The answer from the identity provider could not be verified. Try again; if it keeps happening, contact your administrator.',
  },
  unavailable: {
    title: 'Sign-in is unavailable',
    text: 'The identity provider or the session store could not be reached. Try again in a moment.',
  },
};

export default async function AuthErrorPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const params = await searchParams;
  const reason =
    typeof params.reason === 'string' && params.reason in MESSAGES ? params.reason : 'failed';
  const { title, text } = MESSAGES[reason as AuthErrorReason];
  const returnTo = sanitizeReturnTo(typeof params.returnTo === 'string' ? params.returnTo : null);

  return (
    <main className="mx-auto flex min-h-dvh max-w-md flex-col items-center justify-center gap-4 px-6 text-center">
      <h1 className="text-2xl font-semibold tracking-tight">{title}</h1>
      <p className="text-muted-foreground">{text}</p>
      <div className="flex gap-3">
        <Button asChild>
          {/* A plain link: /auth/login is a route handler that leaves for the provider. */}
          <a href={loginPath(returnTo)}>Sign in again</a>
        </Button>
        <Button asChild variant="outline">
          <Link href="/">Back to home</Link>
        </Button>
      </div>
    </main>
  );
}
