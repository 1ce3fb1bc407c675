import type { Redis } from 'ioredis';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import type { Logger } from 'pino';

/**
 * Tells the other orchestrator processes that the stream's log has new events, and hears them
 * tell us. It carries no events (each process reads the log itself), only the sender's id.
 * Signals are coalesced: at most one per interval per process, the first one at once.
 */
export interface Fanout {
  readonly kind: 'postgres' | 'redis';
  /** This process committed stream events. */
  signal(): void;
  /** Calls onWake when another process signals (and after a reconnect: something may be missed). */
  listen(onWake: () => void): Promise<void>;
  close(): Promise<void>;
}

export const STREAM_CHANNEL = 'afenda_stream';

/** Leading-edge coalescing: the first signal goes at once, then at most one per interval. */
function coalesce(intervalMs: number, send: () => Promise<void>) {
  let last = 0;
  let timer: NodeJS.Timeout | undefined;
  let closed = false;
  const fire = () => {
    timer = undefined;
    last = Date.now();
    void send();
  };
  return {
    signal() {
      if (timer || closed) return;
      const wait = last + intervalMs - Date.now();
      if (wait <= 0) fire();
      else timer = setTimeout(fire, wait);
    },
    stop() {
      closed = true;
      if (timer) clearTimeout(timer);
    },
  };
}

/**
 * PostgreSQL LISTEN/NOTIFY. The NOTIFY is its own statement outside any write transaction
 * (a NOTIFY inside one takes a database-wide lock at commit, serialising every commit), sent by
 * one coalescing notifier per process. The listener is one dedicated connection; when it drops
 * it reconnects and wakes the hub, and the polling backstop covers the gap.
 */
export class PgFanout implements Fanout {
  readonly kind = 'postgres';
  private readonly origin = randomUUID();
  private readonly notifier;
  private client: pg.Client | undefined;
  private closed = false;
  private reconnect: NodeJS.Timeout | undefined;

  constructor(
    private readonly pool: pg.Pool,
    private readonly logger: Logger,
    intervalMs: number,
  ) {
    this.notifier = coalesce(intervalMs, async () => {
      try {
        await this.pool.query('select pg_notify($1, $2)', [STREAM_CHANNEL, this.origin]);
      } catch (err) {
        this.logger.warn({ err }, 'stream: NOTIFY failed; the polling backstop covers it');
      }
    });
  }

  signal(): void {
    this.notifier.signal();
  }

  async listen(onWake: () => void): Promise<void> {
    if (this.closed) return;
    const client = new pg.Client(this.pool.options);
    client.on('notification', (msg) => {
      if (msg.payload !== this.origin) onWake();
    });
    client.on('error', () => undefined);
    client.on('end', () => {
      if (this.closed || this.client !== client) return;
      this.client = undefined;
      this.logger.warn('stream: the LISTEN connection dropped; reconnecting');
      this.retry(onWake);
    });
    try {
      await client.connect();
      await client.query(`listen ${STREAM_CHANNEL}`);
      this.client = client;
      onWake();
    } catch (err) {
      await client.end().catch(() => undefined);
      this.logger.warn({ err }, 'stream: LISTEN failed; retrying');
      this.retry(onWake);
    }
  }

  private retry(onWake: () => void) {
    if (this.closed || this.reconnect) return;
    this.reconnect = setTimeout(() => {
      this.reconnect = undefined;
      void this.listen(onWake);
    }, 1000);
    this.reconnect.unref();
  }

  async close(): Promise<void> {
    this.closed = true;
    this.notifier.stop();
    if (this.reconnect) clearTimeout(this.reconnect);
    await this.client?.end().catch(() => undefined);
  }
}

/** Redis pub/sub (REDIS_URL set): the same signals on a channel, off the database. */
export class RedisFanout implements Fanout {
  readonly kind = 'redis';
  private readonly origin = randomUUID();
  private readonly notifier;
  private subscriber: Redis | undefined;

  constructor(
    private readonly redis: Redis,
    private readonly logger: Logger,
    intervalMs: number,
  ) {
    this.notifier = coalesce(intervalMs, async () => {
      try {
        await this.redis.publish(STREAM_CHANNEL, this.origin);
      } catch (err) {
        this.logger.warn(
          { err: { message: (err as Error).message } },
          'stream: Redis PUBLISH failed; the polling backstop covers it',
        );
      }
    });
  }

  signal(): void {
    this.notifier.signal();
  }

  async listen(onWake: () => void): Promise<void> {
    const sub = this.redis.duplicate({ enableOfflineQueue: true, lazyConnect: true });
    this.subscriber = sub;
    sub.on('error', (err) =>
      this.logger.warn({ err: { message: err.message } }, 'stream: Redis subscriber error'),
    );
    sub.on('message', (_channel, message: string) => {
      if (message !== this.origin) onWake();
    });
    // ioredis resubscribes after a reconnect; what was published meanwhile is lost: read.
    sub.on('ready', () => onWake());
    await sub.connect();
    await sub.subscribe(STREAM_CHANNEL);
  }

  async close(): Promise<void> {
    this.notifier.stop();
    await this.subscriber?.quit().catch(() => undefined);
  }
}
