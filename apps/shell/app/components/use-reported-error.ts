'use client';

import { useEffect } from 'react';

/**
 * For an error page: logs the error in the browser and gives its digest. Server Component errors
 * reach the client without their message in production, only a digest that matches the server
 * logs, which the page shows as a reference to quote.
 */
export function useReportedError(error: unknown): string | undefined {
  useEffect(() => {
    console.error(error);
  }, [error]);
  return error instanceof Error && 'digest' in error && typeof error.digest === 'string'
    ? error.digest
    : undefined;
}
