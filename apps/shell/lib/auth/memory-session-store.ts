/** The session store in memory: development without a database, and tests. */
import { hashSessionId, openSessionData, sealSessionData } from './session-data';
import type { SealedSessionData, SessionData } from './session-data';
import type { SessionStore } from './session-store';

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
