import { Redis } from 'ioredis';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisStore } from './rate-limit-store.ts';

// Run by .ci/run against a real Redis; without TEST_REDIS_URL this suite fails rather than skip.
const url = process.env.TEST_REDIS_URL;
let a: Redis;
let b: Redis;

beforeAll(async () => {
  if (!url)
    throw new Error(
      'TEST_REDIS_URL is not set: this suite needs a running Redis (.ci/run starts one)',
    );
  a = new Redis(url);
  b = new Redis(url);
});
afterAll(async () => {
  await a?.quit();
  await b?.quit();
});

describe('rate-limit counters in Redis', () => {
  it('are shared by several orchestrator instances', async () => {
    const key = `test:${randomUUID()}`;
    const one = new RedisStore(a);
    const two = new RedisStore(b);
    expect((await one.hit(key, 60_000)).count).toBe(1);
    expect((await two.hit(key, 60_000)).count).toBe(2);
    const third = await one.hit(key, 60_000);
    expect(third.count).toBe(3);
    expect(third.resetMs).toBeGreaterThan(55_000);
  });

  it('start a new window once the old one expires', async () => {
    const key = `test:${randomUUID()}`;
    const store = new RedisStore(a);
    await store.hit(key, 200);
    await store.hit(key, 200);
    await new Promise((r) => setTimeout(r, 300));
    expect((await store.hit(key, 200)).count).toBe(1);
  });
});
