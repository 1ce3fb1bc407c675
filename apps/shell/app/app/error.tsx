'use client';

import { Hourglass, RotateCw } from 'lucide-react';
import { Button, Card, CardDescription, CardFooter, CardHeader, CardTitle } from '@afenda/ui';

import { useRateLimitWait, waitText } from '../components/use-rate-limit-wait';
import { useReportedError } from '../components/use-reported-error';

/**
 * A page under /app failed (most often: the orchestrator is unreachable), or the reader went
 * over their read budget (a 429: the page counts down and tries again). The header stays.
 */
export default function WorkspaceError({ error, retry }: { error: unknown; retry: () => void }) {
  const digest = useReportedError(error);
  const wait = useRateLimitWait(digest, retry);

  if (wait !== null)
    return (
      <Card role="status" className="max-w-xl" data-testid="rate-limited">
        <CardHeader>
          <CardTitle className="flex items-start gap-2">
            <Hourglass aria-hidden className="mt-0.5 size-5 shrink-0 text-muted-foreground" />
            Too many requests for a moment
          </CardTitle>
          <CardDescription>{waitText(wait)}</CardDescription>
        </CardHeader>
        <CardFooter>
          <Button variant="outline" onClick={() => retry()}>
            <RotateCw aria-hidden />
            Try again now
          </Button>
        </CardFooter>
      </Card>
    );

  return (
    <Card role="alert" className="max-w-xl">
      <CardHeader>
        <CardTitle>Your workspace could not be loaded</CardTitle>
        <CardDescription>
          The workspace service did not answer as expected. It may be restarting; try again in a
          moment.
          {digest ? (
            <span className="mt-2 block font-mono text-xs">Reference: {digest}</span>
          ) : null}
        </CardDescription>
      </CardHeader>
      <CardFooter>
        <Button onClick={() => retry()}>
          <RotateCw aria-hidden />
          Try again
        </Button>
      </CardFooter>
    </Card>
  );
}
