/**
 * RedisSessionStore against a real Redis: runs when TEST_REDIS_URL is set (as in .ci/run), and
 * fails, rather than skips, if it is set but unreachable.
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { hashSessionId, newSessionId, type SessionData } from './session-data';
import { RedisSessionStore } from './redis-session-store';

const url = process.env.TEST_REDIS_URL;
const prefix = `afenda-test:${randomBytes(4).toString('hex')}:`;
let redis: Redis;
let store: RedisSessionStore;

beforeAll(async () => {
  if (!url) throw new Error('TEST_REDIS_URL is not set');
  redis = new Redis(url, { maxRetriesPerRequest: 1 });
  await redis.ping();
  store = RedisSessionStore.fromClient(redis, { prefix });
});

afterAll(async () => {
  if (!redis) return;
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length) await redis.del(...keys);
  await redis.quit();
});

function sample(over: Partial<SessionData> = {}): SessionData {
  const now = Date.now();
  return {
    subject: 'user-1',
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

describe('RedisSessionStore', () => {
  it('stores a session under the hash of its id, sealed, with its TTL', async () => {
    const id = newSessionId();
    const data = sample();
    await store.set(id, data, 600);
    expect(await store.get(id)).toEqual(data);
    const key = `${prefix}session:${hashSessionId(id)}`;
    const ttl = await redis.ttl(key);
    expect(ttl).toBeGreaterThan(590);
    expect(ttl).toBeLessThanOrEqual(600);
    const raw = (await redis.get(key)) ?? '';
    expect(raw).not.toContain('access-token-secret');
    expect(raw).not.toContain(id);
    expect(await redis.ttl(`${prefix}sid:sid-1`)).toBeGreaterThan(590);
    expect(await store.get(newSessionId())).toBeNull();
  });

  it('expires sessions with Redis', async () => {
    const id = newSessionId();
    await store.set(id, sample(), 1);
    await new Promise((r) => setTimeout(r, 1_100));
    expect(await store.get(id)).toBeNull();
  });

  it('deletes a session and its index entries', async () => {
    const id = newSessionId();
    await store.set(id, sample({ sid: 'sid-del', subject: 'user-del' }), 600);
    await store.delete(id);
    expect(await store.get(id)).toBeNull();
    expect(await redis.smembers(`${prefix}sid:sid-del`)).toEqual([]);
    expect(await redis.smembers(`${prefix}subject:user-del`)).toEqual([]);
  });

  it('ends every session of a Keycloak session, and of a subject', async () => {
    const a1 = newSessionId();
    const a2 = newSessionId();
    const b = newSessionId();
    await store.set(a1, sample({ sid: 'sid-a', subject: 'u-a' }), 600);
    await store.set(a2, sample({ sid: 'sid-a', subject: 'u-a' }), 600);
    await store.set(b, sample({ sid: 'sid-b', subject: 'u-b' }), 600);
    expect(await store.deleteByKeycloakSid('sid-a')).toBe(2);
    expect(await store.get(a1)).toBeNull();
    expect(await store.get(a2)).toBeNull();
    expect(await store.get(b)).not.toBeNull();
    expect(await store.deleteByKeycloakSid('sid-a')).toBe(0);
    expect(await store.deleteBySubject('u-b')).toBe(1);
    expect(await store.get(b)).toBeNull();
  });
});
