import type { Redis } from 'ioredis';

export interface Hit {
  count: number;
  /** Milliseconds until the window resets. */
  resetMs: number;
}

/** Fixed-window counters. One window per key; the first hit in a window starts it. */
export interface RateLimitStore {
  /** A plain Hit when the store can answer at once (memory), a promise otherwise (Redis). */
  hit(key: string, windowMs: number): Hit | Promise<Hit>;
  close(): Promise<void>;
}

export class MemoryStore implements RateLimitStore {
  private readonly windows = new Map<string, { count: number; resetAt: number }>();
  private readonly sweeper: NodeJS.Timeout;

  constructor(sweepEveryMs = 60_000) {
    this.sweeper = setInterval(() => {
      const now = Date.now();
      for (const [key, w] of this.windows) if (w.resetAt <= now) this.windows.delete(key);
    }, sweepEveryMs);
    this.sweeper.unref();
  }

  hit(key: string, windowMs: number): Hit {
    const now = Date.now();
    let w = this.windows.get(key);
    if (!w || w.resetAt <= now) {
      w = { count: 0, resetAt: now + windowMs };
      this.windows.set(key, w);
    }
    w.count += 1;
    return { count: w.count, resetMs: w.resetAt - now };
  }

  async close(): Promise<void> {
    clearInterval(this.sweeper);
  }
}

// INCR and start the window's expiry on the first hit, atomically; return count and time left.
const HIT_SCRIPT = `
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]); ttl = tonumber(ARGV[1]) end
return { count, ttl }
`;

/** Shared counters for several orchestrator instances. */
export class RedisStore implements RateLimitStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix = 'afenda:rl:',
  ) {
    redis.defineCommand('afendaHit', { numberOfKeys: 1, lua: HIT_SCRIPT });
  }

  async hit(key: string, windowMs: number): Promise<Hit> {
    const [count, ttl] = (await (
      this.redis as unknown as { afendaHit(k: string, w: number): Promise<[number, number]> }
    ).afendaHit(this.prefix + key, windowMs)) as [number, number];
    return { count, resetMs: ttl };
  }

  async close(): Promise<void> {
    // the connection belongs to the app; it closes it
  }
}
