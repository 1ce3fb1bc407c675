'use client';

import { Button } from '@afenda/ui';

import { useRateLimitWait, waitText } from './components/use-rate-limit-wait';
import { useReportedError } from './components/use-reported-error';

export default function ErrorPage({ error, retry }: { error: unknown; retry: () => void }) {
  const digest = useReportedError(error);
  const wait = useRateLimitWait(digest, retry);

  return (
    <main className="mx-auto flex min-h-dvh max-w-md flex-col items-center justify-center gap-4 px-6 text-center">
      {wait !== null ? (
        <div role="status" data-testid="rate-limited" className="contents">
          <h1 className="text-2xl font-semibold tracking-tight">Too many requests for a moment</h1>
          <p className="text-muted-foreground">{waitText(wait)}</p>
        </div>
      ) : (
        <>
          <h1 className="text-2xl font-semibold tracking-tight">Something went wrong</h1>
          <p className="text-muted-foreground">
            An unexpected error occurred while rendering this page. Try again; if the problem
            persists, contact your administrator{digest ? ' and quote the reference below' : ''}.
          </p>
          {digest ? (
            <p className="font-mono text-xs text-muted-foreground">Reference: {digest}</p>
          ) : null}
        </>
      )}
      <Button onClick={() => retry()}>{wait !== null ? 'Try again now' : 'Try again'}</Button>
    </main>
  );
}
