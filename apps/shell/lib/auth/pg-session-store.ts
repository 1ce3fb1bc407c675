/** The session store in PostgreSQL (DATABASE_URL, table shell_sessions). Server-only. */
import pg from 'pg';

import { hashSessionId, openSessionData, sealSessionData } from './session-data';
import type { SealedSessionData, SessionData } from './session-data';
import type { SessionStore } from './session-store';

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
