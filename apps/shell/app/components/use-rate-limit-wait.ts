'use client';

import { useEffect, useRef, useState } from 'react';

import { retryAfterFromDigest } from '@/lib/api/rate-limited';

/**
 * For an error page: when the error is the orchestrator's 429 (its digest says so), the seconds
 * left before the page tries again by itself, counting down; null for any other error.
 */
export function useRateLimitWait(digest: string | undefined, retry: () => void): number | null {
  const total = retryAfterFromDigest(digest);
  // Seconds elapsed, for the digest they were counted for (a new 429 starts again).
  const [elapsed, setElapsed] = useState({ digest, seconds: 0 });
  const latestRetry = useRef(retry);
  useEffect(() => {
    latestRetry.current = retry;
  });
  useEffect(() => {
    if (total === null) return;
    const started = Date.now();
    const timer = setInterval(() => {
      const seconds = Math.floor((Date.now() - started) / 1000);
      setElapsed({ digest, seconds });
      if (seconds < total) return;
      clearInterval(timer);
      latestRetry.current();
    }, 250);
    return () => clearInterval(timer);
  }, [digest, total]);
  if (total === null) return null;
  return Math.max(0, total - (elapsed.digest === digest ? elapsed.seconds : 0));
}

export const waitText = (seconds: number) =>
  `You opened pages faster than the workspace allows one person for a moment. This page tries again by itself in ${seconds} second${seconds === 1 ? '' : 's'}.`;
