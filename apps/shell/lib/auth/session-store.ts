/**
 * Where server-side sessions live: Redis when REDIS_URL is set, otherwise PostgreSQL
 * (DATABASE_URL, table shell_sessions). Both index a session by SHA-256 of its id and keep its
 * data sealed under a key derived from the id (session-data.ts). One file per backend
 * (pg-, redis-, memory-session-store.ts); this one holds what they share and picks one.
 *
 * Server-only: never import this from a client component.
 */
import { AuthConfigError, type AuthConfig } from './config';
import { MemorySessionStore } from './memory-session-store';
import { PgSessionStore } from './pg-session-store';
import { RedisSessionStore } from './redis-session-store';
import type { SessionData } from './session-data';

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
