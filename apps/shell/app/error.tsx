'use client';

import { useEffect } from 'react';
import { Button } from '@afenda/ui';

export default function ErrorPage({ error, retry }: { error: unknown; retry: () => void }) {
  useEffect(() => {
    console.error(error);
  }, [error]);

  // Server Component errors reach the client without their message in production, only a
  // digest that matches the server logs.
  const digest =
    error instanceof Error && 'digest' in error && typeof error.digest === 'string'
      ? error.digest
      : undefined;

  return (
    <main className="mx-auto flex min-h-dvh max-w-md flex-col items-center justify-center gap-4 px-6 text-center">
      <h1 className="text-2xl font-semibold tracking-tight">Something went wrong</h1>
      <p className="text-muted-foreground">
        An unexpected error occurred while rendering this page. Try again; if the problem persists,
        contact your administrator{digest ? ' and quote the reference below' : ''}.
      </p>
      {digest ? (
        <p className="font-mono text-xs text-muted-foreground">Reference: {digest}</p>
      ) : null}
      <Button onClick={() => retry()}>Try again</Button>
    </main>
  );
}
