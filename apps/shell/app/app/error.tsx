'use client';

import { RotateCw } from 'lucide-react';
import { Button, Card, CardDescription, CardFooter, CardHeader, CardTitle } from '@afenda/ui';

import { useReportedError } from '../components/use-reported-error';

/** A page under /app failed (most often: the orchestrator is unreachable). The header stays. */
export default function WorkspaceError({ error, retry }: { error: unknown; retry: () => void }) {
  const digest = useReportedError(error);

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
