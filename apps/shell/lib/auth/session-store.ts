/**
 * Where server-side sessions live: Redis when REDIS_URL is set, otherwise PostgreSQL
 * (DATABASE_URL, table shell_sessions). Both index a session by SHA-256 of its id and keep its
 * data sealed under a key derived from the id (session-data.ts).
 *
 * Server-only: never import this from a client component.
 */
import { Redis } from 'ioredis';
import pg from 'pg';

import { AuthConfigError, type AuthConfig } from './config';
import {
  hashSessionId,
  openSessionData,
  sealSessionData,
  type SealedSessionData,
  type SessionData,
} from './session-data';

export interface SessionStore {
  /** The session, or null when there is none, it expired, or it does not open with this id. */
  get(id: string): Promise<SessionData | null>;
  /** Create or replace a session that expires `ttlSeconds` from now. */
  set(id: string, data: SessionData, ttlSeconds: number): Promise<void>;
  delete(id: string): Promise<void>;
  /** Back-channel logout: end every session of this provider session. Returns how many. */
  deleteByKeycloakSid(sid: string): Promise<number>;
  /**
   * Back-channel logout without `sid`: every session of this subject. Stores that cannot look
   * sessions up by subject leave it out (the PostgreSQL store: the table's row-level security
   * only opens rows by id or by sid).
   */
  deleteBySubject?(subject: string): Promise<number>;
  close(): Promise<void>;
}

// ---- PostgreSQL --------------------------------------------------------------------------

/**
 * Sessions in `shell_sessions`, as the unprivileged application role. Row-level security shows
 * a row only to a transaction that sets `app.session_hash` to its id hash (or `app.keycloak_sid`
 * to its sid), so every operation is one transaction that sets it first, with `set_config(...,
 * true)` (transaction-local): a pooled connection never carries it over to the next user.
 */
export class PgSessionStore implements SessionStore {
  private constructor(
    private readonly pool: pg.Pool,
    private readonly ownsPool: boolean,
  ) {}

  static fromUrl(url: string, options: { max?: number } = {}): PgSessionStore {
    const pool = new pg.Pool({
      connectionString: url,
      max: options.max ?? 5,
      idleTimeoutMillis: 30_000,
      connectionTimeoutMillis: 5_000,
      application_name: 'afenda-shell',
    });
    // An idle client losing its connection must not crash the process; the next query reconnects.
    pool.on('error', (err) => console.error('session store: idle database client error', err));
    return new PgSessionStore(pool, true);
  }

  static fromPool(pool: pg.Pool): PgSessionStore {
    return new PgSessionStore(pool, false);
  }

  private async transaction<T>(
    setting: {
      name: 'app.session_hash' | 'app.keycloak_sid' | 'app.session_subject';
      value: string;
    },
    fn: (client: pg.PoolClient) => Promise<T>,
  ): Promise<T> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      await client.query('SELECT set_config($1, $2, true)', [setting.name, setting.value]);
      const result = await fn(client);
      await client.query('COMMIT');
      return result;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
  }

  async get(id: string): Promise<SessionData | null> {
    const hash = hashSessionId(id);
    return this.transaction({ name: 'app.session_hash', value: hash }, async (client) => {
      const { rows } = await client.query<{ data: unknown; expired: boolean }>(
        'SELECT data, expires_at <= now() AS expired FROM shell_sessions WHERE id_hash = $1',
        [hash],
      );
      const row = rows[0];
      if (!row) return null;
      const data = row.expired ? undefined : openSessionData(id, row.data);
      if (!data) {
        // Expired (or unreadable): gone for good, now that we met it.
        await client.query('DELETE FROM shell_sessions WHERE id_hash = $1', [hash]);
        return null;
      }
      return data;
    });
  }

  async set(id: string, data: SessionData, ttlSeconds: number): Promise<void> {
    const hash = hashSessionId(id);
    const sealed: SealedSessionData = sealSessionData(id, data);
    await this.transaction({ name: 'app.session_hash', value: hash }, (client) =>
      client.query(
        `INSERT INTO shell_sessions (id_hash, subject, keycloak_sid, data, expires_at)
         VALUES ($1, $2, $3, $4, now() + make_interval(secs => $5))
         ON CONFLICT (id_hash) DO UPDATE SET
           subject = excluded.subject,
           keycloak_sid = excluded.keycloak_sid,
           data = excluded.data,
           expires_at = excluded.expires_at,
           updated_at = now()`,
        [hash, data.subject, data.sid, JSON.stringify(sealed), Math.max(1, Math.floor(ttlSeconds))],
      ),
    );
  }

  async delete(id: string): Promise<void> {
    const hash = hashSessionId(id);
    await this.transaction({ name: 'app.session_hash', value: hash }, (client) =>
      client.query('DELETE FROM shell_sessions WHERE id_hash = $1', [hash]),
    );
  }

  async deleteByKeycloakSid(sid: string): Promise<number> {
    return this.transaction({ name: 'app.keycloak_sid', value: sid }, async (client) => {
      const result = await client.query('DELETE FROM shell_sessions WHERE keycloak_sid = $1', [
        sid,
      ]);
      return result.rowCount ?? 0;
    });
  }

  async deleteBySubject(subject: string): Promise<number> {
    if (!subject) return 0;
    return this.transaction({ name: 'app.session_subject', value: subject }, async (client) => {
      const result = await client.query('DELETE FROM shell_sessions WHERE subject = $1', [subject]);
      return result.rowCount ?? 0;
    });
  }

  async close(): Promise<void> {
    if (this.ownsPool) await this.pool.end();
  }
}

// ---- Redis -------------------------------------------------------------------------------

/** `SET` the session with its TTL and index it by sid and subject (sets that live as long). */
const SET_SCRIPT = `
redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2])
for i = 2, #KEYS do
  redis.call('SADD', KEYS[i], ARGV[3])
  if redis.call('TTL', KEYS[i]) < tonumber(ARGV[2]) then
    redis.call('EXPIRE', KEYS[i], ARGV[2])
  end
end
return 1`;

/** Delete every session whose hash is in the index set KEYS[1] (ARGV[1]: session key prefix). */
const DELETE_INDEXED_SCRIPT = `
local n = 0
for _, hash in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  n = n + redis.call('DEL', ARGV[1] .. hash)
end
redis.call('DEL', KEYS[1])
return n`;

interface RedisEntry {
  subject: string;
  sid: string | null;
  sealed: SealedSessionData;
}

/**
 * Sessions in Redis: `afenda:shell:session:<sha256(id)>` with the session's TTL, plus index sets
 * `afenda:shell:sid:<sid>` and `afenda:shell:subject:<sub>` for back-channel logout. A single
 * Redis (or a primary with replicas); the scripts touch keys of several hash slots, so not a
 * Redis Cluster.
 */
export class RedisSessionStore implements SessionStore {
  private constructor(
    private readonly redis: Redis,
    private readonly ownsClient: boolean,
    private readonly prefix: string,
  ) {}

  static fromUrl(url: string, options: { prefix?: string } = {}): RedisSessionStore {
    const redis = new Redis(url, {
      // Fail a request quickly rather than queueing it forever while Redis is away.
      maxRetriesPerRequest: 2,
      connectTimeout: 5_000,
      lazyConnect: false,
    });
    redis.on('error', (err) => console.error('session store: redis error', err.message));
    return new RedisSessionStore(redis, true, options.prefix ?? 'afenda:shell:');
  }

  static fromClient(redis: Redis, options: { prefix?: string } = {}): RedisSessionStore {
    return new RedisSessionStore(redis, false, options.prefix ?? 'afenda:shell:');
  }

  private sessionKey(hash: string): string {
    return `${this.prefix}session:${hash}`;
  }

  private sidKey(sid: string): string {
    return `${this.prefix}sid:${sid}`;
  }

  private subjectKey(subject: string): string {
    return `${this.prefix}subject:${subject}`;
  }

  async get(id: string): Promise<SessionData | null> {
    const key = this.sessionKey(hashSessionId(id));
    const raw = await this.redis.get(key);
    if (raw === null) return null;
    let entry: RedisEntry | undefined;
    try {
      entry = JSON.parse(raw) as RedisEntry;
    } catch {
      entry = undefined;
    }
    const data = entry ? openSessionData(id, entry.sealed) : undefined;
    if (!data) {
      await this.redis.del(key);
      return null;
    }
    return data;
  }

  async set(id: string, data: SessionData, ttlSeconds: number): Promise<void> {
    const hash = hashSessionId(id);
    const entry: RedisEntry = {
      subject: data.subject,
      sid: data.sid,
      sealed: sealSessionData(id, data),
    };
    const keys = [
      this.sessionKey(hash),
      ...(data.sid ? [this.sidKey(data.sid)] : []),
      this.subjectKey(data.subject),
    ];
    const ttl = Math.max(1, Math.floor(ttlSeconds));
    await this.redis.eval(SET_SCRIPT, keys.length, ...keys, JSON.stringify(entry), ttl, hash);
  }

  async delete(id: string): Promise<void> {
    const hash = hashSessionId(id);
    const key = this.sessionKey(hash);
    const raw = await this.redis.get(key);
    const multi = this.redis.multi().del(key);
    if (raw !== null) {
      try {
        const entry = JSON.parse(raw) as RedisEntry;
        if (entry.sid) multi.srem(this.sidKey(entry.sid), hash);
        if (entry.subject) multi.srem(this.subjectKey(entry.subject), hash);
      } catch {
        // Not ours to parse: the key is deleted anyway.
      }
    }
    await multi.exec();
  }

  private async deleteIndexed(indexKey: string): Promise<number> {
    const n = await this.redis.eval(DELETE_INDEXED_SCRIPT, 1, indexKey, this.sessionKey(''));
    return Number(n);
  }

  deleteByKeycloakSid(sid: string): Promise<number> {
    return this.deleteIndexed(this.sidKey(sid));
  }

  deleteBySubject(subject: string): Promise<number> {
    return this.deleteIndexed(this.subjectKey(subject));
  }

  async close(): Promise<void> {
    if (this.ownsClient) await this.redis.quit();
  }
}

// ---- In memory (development without a database, and tests) --------------------------------

export class MemorySessionStore implements SessionStore {
  private readonly sessions = new Map<
    string,
    { subject: string; sid: string | null; sealed: SealedSessionData; expiresAt: number }
  >();

  async get(id: string): Promise<SessionData | null> {
    const hash = hashSessionId(id);
    const entry = this.sessions.get(hash);
    if (!entry) return null;
    const data = entry.expiresAt > Date.now() ? openSessionData(id, entry.sealed) : undefined;
    if (!data) {
      this.sessions.delete(hash);
      return null;
    }
    return data;
  }

  async set(id: string, data: SessionData, ttlSeconds: number): Promise<void> {
    this.sessions.set(hashSessionId(id), {
      subject: data.subject,
      sid: data.sid,
      sealed: sealSessionData(id, data),
      expiresAt: Date.now() + ttlSeconds * 1000,
    });
  }

  async delete(id: string): Promise<void> {
    this.sessions.delete(hashSessionId(id));
  }

  private deleteWhere(match: (e: { subject: string; sid: string | null }) => boolean): number {
    let n = 0;
    for (const [hash, entry] of this.sessions) {
      if (match(entry)) {
        this.sessions.delete(hash);
        n += 1;
      }
    }
    return n;
  }

  async deleteByKeycloakSid(sid: string): Promise<number> {
    return this.deleteWhere((e) => e.sid === sid);
  }

  async deleteBySubject(subject: string): Promise<number> {
    return this.deleteWhere((e) => e.subject === subject);
  }

  async close(): Promise<void> {
    this.sessions.clear();
  }
}

// ---- The process's store ------------------------------------------------------------------

export type SessionStoreKind = 'redis' | 'postgres' | 'memory';

export function sessionStoreKind(config: AuthConfig): SessionStoreKind {
  if (config.redisUrl) return 'redis';
  if (config.databaseUrl) return 'postgres';
  if (!config.production) return 'memory';
  throw new AuthConfigError([
    {
      variable: 'DATABASE_URL',
      problem:
        'is required in production to keep sessions (or set REDIS_URL): the application role URL of the orchestrator database',
    },
  ]);
}

const STORE = Symbol.for('afenda.shell.sessionStore');
type Global = typeof globalThis & { [STORE]?: { key: string; store: SessionStore } };

/** One store per process (kept on globalThis: Next.js may load this module more than once). */
export function getSessionStore(config: AuthConfig): SessionStore {
  const g = globalThis as Global;
  const kind = sessionStoreKind(config);
  const key = `${kind}|${config.redisUrl ?? config.databaseUrl ?? ''}`;
  if (g[STORE]?.key === key) return g[STORE].store;
  let store: SessionStore;
  if (kind === 'redis') store = RedisSessionStore.fromUrl(config.redisUrl!);
  else if (kind === 'postgres') store = PgSessionStore.fromUrl(config.databaseUrl!);
  else {
    console.warn(
      'session store: neither REDIS_URL nor DATABASE_URL is set; keeping sessions in memory (development only: a restart signs everyone out)',
    );
    store = new MemorySessionStore();
  }
  g[STORE] = { key, store };
  return store;
}
