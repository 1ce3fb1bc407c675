import { createTestDatabase, type TestDatabase } from '@afenda/test-utils';
import pg from 'pg';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { hashSessionId, newSessionId, type SessionData } from './session-data';
import { MemorySessionStore } from './memory-session-store';
import { PgSessionStore } from './pg-session-store';
import type { SessionStore } from './session-store';

let tdb: TestDatabase;
let appPool: pg.Pool;
let store: PgSessionStore;

beforeAll(async () => {
  tdb = await createTestDatabase();
  // The unprivileged application role: row-level security applies.
  appPool = new pg.Pool({ connectionString: tdb.appUrl, max: 2 });
  store = PgSessionStore.fromPool(appPool);
});

afterAll(async () => {
  await appPool?.end();
  await tdb?.drop();
});

beforeEach(async () => {
  await tdb.admin.query('DELETE FROM shell_sessions');
});

function sample(over: Partial<SessionData> = {}): SessionData {
  const now = Date.now();
  return {
    subject: '6f1c2a9e-0000-4000-8000-00000000a11c',
    sid: 'sid-1',
    username: 'alice',
    name: 'Alice Nguyen',
    email: 'alice@acme.example',
    accessToken: 'access-token-secret',
    accessTokenExpiresAt: now + 300_000,
    refreshToken: 'refresh-token-secret',
    idToken: 'id-token-secret',
    createdAt: now,
    ...over,
  };
}

async function adminRows() {
  const { rows } = await tdb.admin.query<{
    id_hash: string;
    subject: string;
    keycloak_sid: string | null;
    data: unknown;
    expires_at: Date;
  }>('SELECT id_hash, subject, keycloak_sid, data, expires_at FROM shell_sessions');
  return rows;
}

describe('PgSessionStore', () => {
  it('stores a session under the hash of its id and gives it back', async () => {
    const id = newSessionId();
    const data = sample();
    await store.set(id, data, 3600);
    expect(await store.get(id)).toEqual(data);

    const [row] = await adminRows();
    expect(row?.id_hash).toBe(hashSessionId(id));
    expect(row?.subject).toBe(data.subject);
    expect(row?.keycloak_sid).toBe('sid-1');
    const ttl = (row!.expires_at.getTime() - Date.now()) / 1000;
    expect(ttl).toBeGreaterThan(3590);
    expect(ttl).toBeLessThanOrEqual(3600);
  });

  it('keeps neither the id nor any token readable in the table', async () => {
    const id = newSessionId();
    await store.set(id, sample(), 3600);
    const dump = JSON.stringify(await adminRows());
    expect(dump).not.toContain(id);
    expect(dump).not.toContain('access-token-secret');
    expect(dump).not.toContain('refresh-token-secret');
    expect(dump).not.toContain('id-token-secret');
    expect(dump).not.toContain('alice@acme.example');
  });

  it('shows the application role no session without its id (row-level security)', async () => {
    const id = newSessionId();
    await store.set(id, sample(), 3600);
    const client = await appPool.connect();
    try {
      expect((await client.query('SELECT count(*)::int AS n FROM shell_sessions')).rows[0].n).toBe(
        0,
      );
      await client.query('BEGIN');
      await client.query("SELECT set_config('app.session_hash', $1, true)", [
        hashSessionId(newSessionId()),
      ]);
      expect((await client.query('SELECT count(*)::int AS n FROM shell_sessions')).rows[0].n).toBe(
        0,
      );
      await client.query('ROLLBACK');
      // Nor can it write a row for an id it does not present.
      await client.query('BEGIN');
      await client.query("SELECT set_config('app.session_hash', 'x', true)");
      await expect(
        client.query(
          "INSERT INTO shell_sessions (id_hash, subject, data, expires_at) VALUES ('y', 's', '{}', now())",
        ),
      ).rejects.toThrow(/row-level security/);
      await client.query('ROLLBACK');
    } finally {
      client.release();
    }
    expect(await store.get(newSessionId())).toBeNull();
  });

  it('leaves no session setting on the pooled connection', async () => {
    const id = newSessionId();
    await store.set(id, sample(), 3600);
    await store.get(id);
    const { rows } = await appPool.query(
      "SELECT coalesce(current_setting('app.session_hash', true), '') AS h, coalesce(current_setting('app.keycloak_sid', true), '') AS s",
    );
    expect(rows[0]).toEqual({ h: '', s: '' });
  });

  it("does not open another session's data under this id", async () => {
    const a = newSessionId();
    const b = newSessionId();
    await store.set(a, sample({ subject: 'a' }), 3600);
    await store.set(b, sample({ subject: 'b' }), 3600);
    // Someone with write access copies a's sealed data into b's row.
    await tdb.admin.query(
      'UPDATE shell_sessions SET data = (SELECT data FROM shell_sessions WHERE id_hash = $1) WHERE id_hash = $2',
      [hashSessionId(a), hashSessionId(b)],
    );
    expect(await store.get(b)).toBeNull();
    expect((await store.get(a))?.subject).toBe('a');
  });

  it('replaces a session on set (refresh) and deletes it', async () => {
    const id = newSessionId();
    await store.set(id, sample(), 3600);
    await store.set(id, sample({ accessToken: 'renewed' }), 1800);
    expect((await store.get(id))?.accessToken).toBe('renewed');
    expect(await adminRows()).toHaveLength(1);
    await store.delete(id);
    expect(await store.get(id)).toBeNull();
    expect(await adminRows()).toHaveLength(0);
  });

  it('treats an expired session as absent and deletes it when met', async () => {
    const id = newSessionId();
    const other = newSessionId();
    await store.set(id, sample(), 3600);
    await store.set(other, sample(), 3600);
    await tdb.admin.query(
      "UPDATE shell_sessions SET expires_at = now() - interval '1 second' WHERE id_hash = $1",
      [hashSessionId(id)],
    );
    expect(await store.get(id)).toBeNull();
    const rows = await adminRows();
    expect(rows.map((r) => r.id_hash)).toEqual([hashSessionId(other)]);
  });

  it('ends every session of a Keycloak session, and only those', async () => {
    const a1 = newSessionId();
    const a2 = newSessionId();
    const b = newSessionId();
    const none = newSessionId();
    await store.set(a1, sample({ sid: 'sid-a' }), 3600);
    await store.set(a2, sample({ sid: 'sid-a' }), 3600);
    await store.set(b, sample({ sid: 'sid-b' }), 3600);
    await store.set(none, sample({ sid: null }), 3600);
    expect(await store.deleteByKeycloakSid('sid-a')).toBe(2);
    expect(await store.get(a1)).toBeNull();
    expect(await store.get(a2)).toBeNull();
    expect(await store.get(b)).not.toBeNull();
    expect(await store.get(none)).not.toBeNull();
    expect(await store.deleteByKeycloakSid('sid-a')).toBe(0);
    expect(await store.deleteByKeycloakSid('')).toBe(0);
    expect(await adminRows()).toHaveLength(2);
  });

  it("deletes a subject's sessions for a logout token without sid, and nobody else's", async () => {
    const mine = newSessionId();
    const theirs = newSessionId();
    await store.set(mine, sample({ sid: 'sid-m', subject: 'subject-m' }), 3600);
    await store.set(theirs, sample({ sid: 'sid-t', subject: 'subject-t' }), 3600);
    expect(await (store as Required<SessionStore>).deleteBySubject('subject-m')).toBe(1);
    expect(await store.get(mine)).toBeNull();
    expect(await store.get(theirs)).not.toBeNull();
    expect(await (store as Required<SessionStore>).deleteBySubject('')).toBe(0);
  });
});

describe('MemorySessionStore', () => {
  it('behaves as the others: get, expiry, delete by sid and by subject', async () => {
    const memory = new MemorySessionStore();
    const a = newSessionId();
    const b = newSessionId();
    await memory.set(a, sample({ sid: 's1', subject: 'u1' }), 3600);
    await memory.set(b, sample({ sid: 's2', subject: 'u1' }), 3600);
    expect((await memory.get(a))?.sid).toBe('s1');
    expect(await memory.get(newSessionId())).toBeNull();
    expect(await memory.deleteByKeycloakSid('s1')).toBe(1);
    expect(await memory.get(a)).toBeNull();
    expect(await memory.deleteBySubject('u1')).toBe(1);
    expect(await memory.get(b)).toBeNull();
    await memory.set(a, sample(), 0);
    expect(await memory.get(a)).toBeNull();
  });
});
