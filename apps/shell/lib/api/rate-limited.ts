/**
 * A 429 from the orchestrator while a page renders reaches the error page with only its digest
 * (production strips a Server Component error's message). Next.js keeps a digest the error
 * already has, so a 429 carries one that says how long to wait; the error pages read it and
 * count down instead of saying the workspace failed. Shared by the server and the browser.
 */
const PREFIX = 'AFENDA_RATE_LIMITED;';

export function rateLimitedDigest(retryAfterSeconds: unknown): string {
  const s =
    typeof retryAfterSeconds === 'number' && Number.isFinite(retryAfterSeconds)
      ? Math.min(3_600, Math.max(1, Math.ceil(retryAfterSeconds)))
      : 5;
  return `${PREFIX}${s}`;
}

/** Seconds to wait when the digest is a 429's, else null. */
export function retryAfterFromDigest(digest: string | undefined): number | null {
  if (!digest?.startsWith(PREFIX)) return null;
  const s = Number(digest.slice(PREFIX.length));
  return Number.isInteger(s) && s > 0 ? s : null;
}
