import type { Redis } from 'ioredis';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import type { Logger } from 'pino';

/**
 * Tells the other orchestrator processes that the stream's log has new events, and hears them
 * tell us. It carries no events (each process reads the log itself), only the sender's id.
 * Signals are coalesced: at most one per interval per process, the first one at once; an urgent
 * one (a commit that rang someone's bell) goes at once whatever the interval.
 */
export interface Fanout {
  readonly kind: 'postgres' | 'redis';
  /** This process committed stream events; `urgent`: a notification among them. */
  signal(urgent?: boolean): void;
  /** Calls onWake when another process signals (and after a reconnect: something may be missed). */
  listen(onWake: () => void): Promise<void>;
  close(): Promise<void>;
}

export const STREAM_CHANNEL = 'afenda_stream';

/** An urgent signal waits at most this long after the last one sent (ms). */
const URGENT_MS = 2;

/**
 * Leading-edge coalescing: the first signal goes at once, then at most one per interval. Under a
 * webhook burst this process commits stream events all the time, and an escalation's
 * notification would wait for the interval behind them: an urgent signal goes no later than
 * URGENT_MS after the last one (and takes the place of one that was waiting), so a flood of
 * approvals still sends a few hundred signals a second, not one per commit.
 */
export function coalesce(intervalMs: number, send: () => Promise<void>, urgentMs = URGENT_MS) {
  let last = 0;
  let timer: NodeJS.Timeout | undefined;
  let due = 0;
  let closed = false;
  const fire = () => {
    timer = undefined;
    last = Date.now();
    void send();
  };
  return {
    signal(urgent = false) {
      if (closed) return;
      const at = last + Math.min(intervalMs, urgent ? urgentMs : intervalMs);
      if (timer && due <= at) return;
      if (timer) clearTimeout(timer);
      const wait = at - Date.now();
      if (wait <= 0) fire();
      else {
        due = at;
        timer = setTimeout(fire, wait);
      }
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

  signal(urgent = false): void {
    this.notifier.signal(urgent);
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

  signal(urgent = false): void {
    this.notifier.signal(urgent);
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
