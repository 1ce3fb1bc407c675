/**
 * oidc-provider's storage for this process: sessions, interactions, grants, authorization codes
 * and refresh tokens, in memory with their expiry. A restart forgets them all (users sign in
 * again; issued JWT access tokens still verify, since the signing key persists).
 *
 * oidc-provider ships a similar quick-start adapter; this one has no size cap (its LRU evicts at
 * 1000 entries, which a load test of the login flow reaches) and is swept on a timer.
 */
import type { Adapter, AdapterPayload } from 'oidc-provider';

interface Entry {
  payload: AdapterPayload;
  /** Epoch milliseconds; Infinity when no expiry was given. */
  expiresAt: number;
}

const GRANTABLE = new Set([
  'AccessToken',
  'AuthorizationCode',
  'RefreshToken',
  'DeviceCode',
  'BackchannelAuthenticationRequest',
  'PreAuthorizedCode',
]);

export class MemoryStore {
  private readonly entries = new Map<string, Entry>();
  /** grantId -> keys of the tokens issued under it. */
  private readonly grants = new Map<string, Set<string>>();
  /** Secondary indexes: `uid:<session uid>` and `code:<user code>` -> key. */
  private readonly indexes = new Map<string, string>();
  private readonly timer: NodeJS.Timeout;

  constructor(sweepEveryMs = 60_000) {
    this.timer = setInterval(() => this.sweep(), sweepEveryMs);
    this.timer.unref();
  }

  get(key: string): AdapterPayload | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt <= Date.now()) {
      this.delete(key);
      return undefined;
    }
    return entry.payload;
  }

  set(model: string, key: string, payload: AdapterPayload, expiresIn?: number): void {
    this.delete(key);
    const expiresAt = typeof expiresIn === 'number' ? Date.now() + expiresIn * 1000 : Infinity;
    this.entries.set(key, { payload, expiresAt });
    if (GRANTABLE.has(model) && typeof payload.grantId === 'string') {
      let members = this.grants.get(payload.grantId);
      if (!members) this.grants.set(payload.grantId, (members = new Set()));
      members.add(key);
    }
    if (model === 'Session' && typeof payload.uid === 'string')
      this.indexes.set(`uid:${payload.uid}`, key);
    if (typeof payload.userCode === 'string') this.indexes.set(`code:${payload.userCode}`, key);
  }

  delete(key: string): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    this.entries.delete(key);
    const { grantId, uid, userCode } = entry.payload;
    if (typeof grantId === 'string') {
      const members = this.grants.get(grantId);
      members?.delete(key);
      if (members?.size === 0) this.grants.delete(grantId);
    }
    if (typeof uid === 'string' && this.indexes.get(`uid:${uid}`) === key)
      this.indexes.delete(`uid:${uid}`);
    if (typeof userCode === 'string' && this.indexes.get(`code:${userCode}`) === key) {
      this.indexes.delete(`code:${userCode}`);
    }
  }

  byIndex(index: string): AdapterPayload | undefined {
    const key = this.indexes.get(index);
    return key === undefined ? undefined : this.get(key);
  }

  revokeGrant(grantId: string): void {
    for (const key of [...(this.grants.get(grantId) ?? [])]) this.delete(key);
    this.grants.delete(grantId);
  }

  sweep(now = Date.now()): void {
    for (const [key, entry] of this.entries) if (entry.expiresAt <= now) this.delete(key);
  }

  close(): void {
    clearInterval(this.timer);
    this.entries.clear();
    this.grants.clear();
    this.indexes.clear();
  }

  /** The adapter factory oidc-provider's `adapter` setting takes. */
  adapter(): (model: string) => Adapter {
    return (model: string): Adapter => {
      const key = (id: string) => `${model}:${id}`;
      return {
        upsert: async (id, payload, expiresIn) => this.set(model, key(id), payload, expiresIn),
        find: async (id) => this.get(key(id)),
        findByUid: async (uid) => this.byIndex(`uid:${uid}`),
        findByUserCode: async (userCode) => this.byIndex(`code:${userCode}`),
        consume: async (id) => {
          const payload = this.get(key(id));
          if (payload) payload.consumed = Math.floor(Date.now() / 1000);
        },
        destroy: async (id) => this.delete(key(id)),
        revokeByGrantId: async (grantId) => this.revokeGrant(grantId),
      };
    };
  }
}
