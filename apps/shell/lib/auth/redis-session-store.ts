/** The session store in Redis (REDIS_URL). Server-only. */
import { Redis } from 'ioredis';

import { hashSessionId, openSessionData, sealSessionData } from './session-data';
import type { SealedSessionData, SessionData } from './session-data';
import type { SessionStore } from './session-store';

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
