/**
 * Sessions, independent of Next.js: create one from a sign-in, load one by id and keep its
 * access token fresh (refresh when it expires within 60 s). session.ts binds this to cookies.
 *
 * Server-only: never import this from a client component.
 */
import type { AuthConfig } from './config';
import { isProviderRefusal, refreshSession } from './oidc';
import { hashSessionId, newSessionId, type SessionData } from './session-data';
import type { SessionStore } from './session-store';

/** Refresh the access token when it expires within this many milliseconds. */
export const REFRESH_MARGIN_MS = 60_000;

export interface SessionDeps {
  config: AuthConfig;
  store: SessionStore;
  /** The refresh token grant (openid-client by default; tests may stand in). */
  refresh?: (config: AuthConfig, session: SessionData) => Promise<SessionData>;
  now?: () => number;
}

/** The provider could not be reached to refresh an expired access token; the session is kept. */
export class SessionUnavailableError extends Error {
  constructor(cause: unknown) {
    super('The identity provider could not be reached to renew the session', { cause });
    this.name = 'SessionUnavailableError';
  }
}

/** Milliseconds the session has left of its absolute lifetime. */
export function sessionTimeLeftMs(config: AuthConfig, data: SessionData, now: number): number {
  return data.createdAt + config.sessionTtlS * 1000 - now;
}

/** Store a new session for a completed sign-in; returns its id (the cookie's value). */
export async function createSession(deps: SessionDeps, data: SessionData): Promise<string> {
  const id = newSessionId();
  await deps.store.set(id, data, deps.config.sessionTtlS);
  return id;
}

const LOCKS = Symbol.for('afenda.shell.refreshLocks');
type Global = typeof globalThis & { [LOCKS]?: Map<string, Promise<SessionData | null>> };

/**
 * The session with a usable access token, or null when there is none (never was, expired,
 * logged out, or the provider refused to refresh it: then it is deleted).
 *
 * Refreshes are serialised per session within the process, and re-read the store first: a
 * request that loaded the session before another one refreshed it uses the new tokens instead
 * of spending the rotated refresh token a second time.
 */
export async function loadSession(deps: SessionDeps, id: string): Promise<SessionData | null> {
  const now = (deps.now ?? Date.now)();
  const data = await deps.store.get(id);
  if (!data) return null;
  if (sessionTimeLeftMs(deps.config, data, now) <= 0) {
    await deps.store.delete(id);
    return null;
  }
  if (data.accessTokenExpiresAt - now > REFRESH_MARGIN_MS) return data;

  const locks = ((globalThis as Global)[LOCKS] ??= new Map());
  const key = hashSessionId(id);
  let pending = locks.get(key);
  if (!pending) {
    pending = refreshStored(deps, id).finally(() => locks.delete(key));
    locks.set(key, pending);
  }
  return pending;
}

async function refreshStored(deps: SessionDeps, id: string): Promise<SessionData | null> {
  const now = (deps.now ?? Date.now)();
  const current = await deps.store.get(id);
  if (!current) return null;
  if (current.accessTokenExpiresAt - now > REFRESH_MARGIN_MS) return current;
  const left = sessionTimeLeftMs(deps.config, current, now);
  if (left <= 0 || !current.refreshToken) {
    await deps.store.delete(id);
    return null;
  }
  let next: SessionData;
  try {
    next = await (deps.refresh ?? refreshSession)(deps.config, current);
  } catch (err) {
    if (isProviderRefusal(err) || !isTransient(err)) {
      // invalid_grant and the like: the provider's session is over (or the token was revoked).
      // Anything else unexpected ends the session too: signed out is visible, stuck is not.
      if (!isProviderRefusal(err)) console.error('session refresh failed; signing out:', err);
      await deps.store.delete(id);
      return null;
    }
    // Not reached: keep the session; its access token may still do for a few seconds.
    console.warn('session refresh failed; keeping the session for now:', err);
    if (current.accessTokenExpiresAt > now) return current;
    throw new SessionUnavailableError(err);
  }
  await deps.store.set(id, next, Math.ceil(left / 1000));
  return next;
}

/**
 * Not reaching the provider (fetch failed, timeouts) and HTTP errors without an OAuth error
 * body: the provider is unwell, not refusing.
 */
function isTransient(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  if (err instanceof TypeError && err.message === 'fetch failed') return true;
  if (err.name === 'TimeoutError' || err.name === 'AbortError') return true;
  const code = (err as { code?: unknown }).code;
  return (
    code === 'OAUTH_TIMEOUT' ||
    code === 'OAUTH_ABORT' ||
    code === 'OAUTH_RESPONSE_IS_NOT_CONFORM' ||
    code === 'OAUTH_RESPONSE_IS_NOT_JSON'
  );
}
