import { authenticate, type RealmUser } from '../realm.ts';
import type { IdpState } from './state.ts';

/**
 * Sign-in throttling, as Keycloak's brute-force detection answers it: failed password checks are
 * counted per username and per client address in a fixed window; once either has used its
 * budget, every password check for that username or from that address fails as a wrong password
 * would ("Invalid user credentials" / "Invalid username or password."), the right password
 * included, until the window ends. Only failures count, so correct sign-ins are never slowed.
 */
export interface SignInLimit {
  /** Failed password checks allowed per username and per address in one window. */
  max: number;
  windowMs: number;
}

/** The orchestrator's login budget by default (RATE_LIMIT_LOGIN, RATE_LIMIT_WINDOW_MS). */
export const DEFAULT_SIGN_IN_LIMIT: SignInLimit = { max: 20, windowMs: 60_000 };

const MAX_KEYS = 100_000;

export class SignInThrottle {
  private readonly failures = new Map<string, { count: number; resetAt: number }>();

  constructor(
    private readonly limit: SignInLimit = DEFAULT_SIGN_IN_LIMIT,
    private readonly now: () => number = Date.now,
  ) {}

  private keys(username: string, address: string | undefined): string[] {
    const keys = [`user:${username.toLowerCase()}`];
    if (address) keys.push(`addr:${address}`);
    return keys;
  }

  private count(key: string): number {
    const entry = this.failures.get(key);
    if (!entry) return 0;
    if (entry.resetAt <= this.now()) {
      this.failures.delete(key);
      return 0;
    }
    return entry.count;
  }

  /** Whether a password check for this username from this address must not be made now. */
  locked(username: string, address: string | undefined): boolean {
    return this.keys(username, address).some((k) => this.count(k) >= this.limit.max);
  }

  /** Counts a failed check against the username and the address. */
  failed(username: string, address: string | undefined): void {
    if (this.failures.size >= MAX_KEYS) this.prune();
    for (const key of this.keys(username, address)) {
      const count = this.count(key);
      const resetAt =
        count === 0 ? this.now() + this.limit.windowMs : this.failures.get(key)!.resetAt;
      this.failures.set(key, { count: count + 1, resetAt });
    }
  }

  private prune(): void {
    const now = this.now();
    for (const [key, entry] of this.failures) if (entry.resetAt <= now) this.failures.delete(key);
    // Still full (a flood of distinct names): forget the oldest rather than grow without bound.
    for (const key of this.failures.keys()) {
      if (this.failures.size < MAX_KEYS) break;
      this.failures.delete(key);
    }
  }
}

/**
 * The one password check of the provider (password grant and sign-in form): refused without
 * looking at the password while throttled, counted when wrong.
 */
export function checkSignIn(
  state: Pick<IdpState, 'realm' | 'signIns' | 'logger'>,
  username: string,
  password: string,
  address: string | undefined,
): RealmUser | undefined {
  if (state.signIns.locked(username, address)) {
    state.logger.warn(
      { username: username.slice(0, 100), address },
      'sign-in throttled: too many failed password checks',
    );
    return undefined;
  }
  const user = authenticate(state.realm, username, password);
  if (!user) state.signIns.failed(username, address);
  return user;
}
