/**
 * The sign-in budget (RATE_LIMIT_LOGIN requests per RATE_LIMIT_WINDOW_MS, as the orchestrator
 * names it) for /auth/login and /auth/callback, per client address: a fixed window counted in
 * this process's memory. The Shell runs as one process (docs/shell.md); with several replicas
 * each counts its own, so the budget is per replica.
 */
import type { AuthConfig } from './config';

export interface ThrottleVerdict {
  ok: boolean;
  /** Seconds until the window ends (when refused). */
  retryAfterS: number;
}

interface Window {
  start: number;
  count: number;
}

/** The most addresses remembered; past it, windows that are over are dropped first. */
const MAX_KEYS = 50_000;

export class LoginThrottle {
  private readonly windows = new Map<string, Window>();

  constructor(
    private readonly budget: AuthConfig['loginBudget'],
    private readonly now: () => number = Date.now,
  ) {}

  /** Count one request from `key`; refused once the window's budget is spent. */
  take(key: string): ThrottleVerdict {
    const now = this.now();
    let window = this.windows.get(key);
    if (!window || now - window.start >= this.budget.windowMs) {
      if (!window && this.windows.size >= MAX_KEYS) this.sweep(now);
      window = { start: now, count: 0 };
      this.windows.set(key, window);
    }
    window.count += 1;
    const retryAfterS = Math.max(1, Math.ceil((window.start + this.budget.windowMs - now) / 1000));
    return { ok: window.count <= this.budget.limit, retryAfterS };
  }

  private sweep(now: number): void {
    for (const [key, w] of this.windows)
      if (now - w.start >= this.budget.windowMs) this.windows.delete(key);
    // Still full (a flood of fresh addresses): forget the oldest rather than grow without bound.
    for (const key of this.windows.keys()) {
      if (this.windows.size < MAX_KEYS) break;
      this.windows.delete(key);
    }
  }
}

/**
 * The client's address: the last X-Forwarded-For entry, which is the one the nearest hop wrote
 * (the reverse proxy in front, or Next.js itself from the socket when there is none).
 */
export function clientAddress(headers: Headers): string {
  const forwarded = headers.get('x-forwarded-for')?.split(',');
  return forwarded?.at(-1)?.trim() || headers.get('x-real-ip')?.trim() || 'unknown';
}

const THROTTLE = Symbol.for('afenda.shell.loginThrottle');
type Global = typeof globalThis & { [THROTTLE]?: LoginThrottle };

/** Count a sign-in request; a 429 page to answer with when over budget, else null. */
export function throttleSignIn(config: AuthConfig, headers: Headers): Response | null {
  const g = globalThis as Global;
  g[THROTTLE] ??= new LoginThrottle(config.loginBudget);
  const verdict = g[THROTTLE].take(clientAddress(headers));
  return verdict.ok ? null : tooManySignIns(verdict.retryAfterS);
}

/** 429 with Retry-After and a short page saying when to try again. */
export function tooManySignIns(retryAfterS: number): Response {
  const html = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Too many sign-in attempts · Axis Afenda</title></head>
<body>
<main>
<h1>Too many sign-in attempts</h1>
<p>Sign-in was tried too often from your network. Wait ${retryAfterS} second${retryAfterS === 1 ? '' : 's'}, then <a href="/auth/login">sign in again</a>.</p>
</main>
</body>
</html>
`;
  return new Response(html, {
    status: 429,
    headers: {
      'content-type': 'text/html; charset=utf-8',
      'retry-after': String(retryAfterS),
      'cache-control': 'no-store',
    },
  });
}
