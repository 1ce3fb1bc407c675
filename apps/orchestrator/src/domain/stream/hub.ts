import type { Database } from '@afenda/db';
import type { ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { Fanout } from './fanout.ts';
import { maxPosition, type Position } from './position.ts';
import { onStreamCommit } from '@afenda/platform/stream/publish';
import { logHead, readCatchUp, readTail, type LoggedEvent } from './read-log.ts';

/** The least time between the starts of two reads of the log (ms). */
const READ_GAP_MS = 3;

export interface StreamHubOptions {
  database: Database;
  logger: Logger;
  fanout: Fanout;
  /** The polling backstop: a read this often even if no signal came. */
  pollIntervalMs: number;
  heartbeatMs: number;
  /** SSE `retry:` sent to clients. */
  retryMs: number;
  /** A connection whose unsent output grows past this is cut off (it resumes by Last-Event-ID). */
  maxBufferBytes: number;
  maxConnections: number;
  /** Recent events kept in memory, so that a reconnect a moment later costs no query. */
  ringSize?: number;
  batchSize?: number;
}

/** One open stream: a user in a tenant. */
class Subscriber {
  /** Every event for this subscriber up to here has been written (duplicates are suppressed). */
  cursor: Position;
  /** Caught up: live events are written as the hub reads them. Before that it catches up itself. */
  synced = false;
  pumping = false;
  closed = false;
  constructor(
    readonly tenantId: string,
    readonly userId: string,
    readonly res: ServerResponse,
    from: Position,
  ) {
    this.cursor = from;
  }
  wants(e: LoggedEvent): boolean {
    return (
      e.tenantId === this.tenantId &&
      (e.userId === null || e.userId === this.userId) &&
      e.pos > this.cursor
    );
  }
}

export interface StreamStats {
  connections: number;
  cutOff: number;
  delivered: number;
}

/**
 * The process's live stream: reads the log (one reader for every connection of the process),
 * and hands each event to the connections of its tenant and user. Reads happen when this
 * process committed events, when the fan-out says another process did, and on the polling
 * backstop. Started at the first connection.
 */
export class StreamHub {
  private readonly o: Required<StreamHubOptions>;
  private head: Position | undefined;
  /** Events after `floor`, up to `head`: enough to catch a reconnecting client up from memory. */
  private ring: LoggedEvent[] = [];
  private floor: Position = 0n;
  private readonly byTenant = new Map<string, Set<Subscriber>>();
  private count = 0;
  private starting: Promise<void> | undefined;
  private reading = false;
  private readAgain = false;
  private lastRead = 0;
  private timers: NodeJS.Timeout[] = [];
  private stopListening: (() => void) | undefined;
  private closed = false;
  readonly stats: StreamStats = { connections: 0, cutOff: 0, delivered: 0 };

  constructor(options: StreamHubOptions) {
    this.o = { ringSize: 2048, batchSize: 500, ...options };
    // Our own commits are signalled to the other processes whether or not anyone listens here.
    this.stopListening = onStreamCommit((_tenants, urgent) => {
      this.o.fanout.signal(urgent);
      if (this.head !== undefined) this.wake();
    });
  }

  /** Whether another connection is taken (STREAM_MAX_CONNECTIONS, and not shutting down). */
  get accepting(): boolean {
    return !this.closed && this.count < this.o.maxConnections;
  }

  /** Starts reading (at the first connection): the head, the fan-out listener, the timers. */
  ready(): Promise<void> {
    this.starting ??= (async () => {
      this.head = await logHead(this.o.database);
      this.floor = this.head;
      await this.o.fanout.listen(() => this.wake());
      this.timers.push(
        setInterval(() => this.wake(), this.o.pollIntervalMs),
        setInterval(() => this.heartbeat(), this.o.heartbeatMs),
      );
      for (const t of this.timers) t.unref();
    })().catch((err: unknown) => {
      this.starting = undefined; // the next connection tries again
      throw err;
    });
    return this.starting;
  }

  /** Opens a stream on a hijacked response, once ready(). `from`: the client's Last-Event-ID. */
  open(
    res: ServerResponse,
    headers: Record<string, string>,
    who: { tenantId: string; userId: string; until?: number },
    from: Position | undefined,
  ): void {
    const sub = new Subscriber(who.tenantId, who.userId, res, from ?? (this.head as Position));
    // The connection ends with the stream: a client never sends its next request on it.
    res.shouldKeepAlive = false;
    res.writeHead(200, {
      ...headers,
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      'x-accel-buffering': 'no',
    });
    res.write(`retry: ${this.o.retryMs}\n: connected\n\n`);

    res.socket?.setNoDelay(true);
    res.socket?.setTimeout(0);
    let set = this.byTenant.get(sub.tenantId);
    if (!set) this.byTenant.set(sub.tenantId, (set = new Set()));
    set.add(sub);
    this.count += 1;
    this.stats.connections = this.count;
    // A stream lives no longer than the token that opened it: the client reconnects with a fresh
    // one (membership checked again) and resumes by Last-Event-ID.
    const expiry =
      who.until === undefined
        ? undefined
        : setTimeout(() => res.end(), Math.max(0, who.until - Date.now())).unref();
    res.once('close', () => {
      clearTimeout(expiry);
      this.remove(sub);
    });
    void this.pump(sub);
  }

  private remove(sub: Subscriber): void {
    if (sub.closed) return;
    sub.closed = true;
    const set = this.byTenant.get(sub.tenantId);
    set?.delete(sub);
    if (set?.size === 0) this.byTenant.delete(sub.tenantId);
    this.count -= 1;
    this.stats.connections = this.count;
  }

  /**
   * Writes a live frame. A connection still holding more than the limit of unsent output from
   * earlier frames doesn't keep up: it is cut off, to resume by Last-Event-ID (from the log).
   */
  private write(sub: Subscriber, frame: string): boolean {
    if (sub.closed) return false;
    if (sub.res.writableLength > this.o.maxBufferBytes) {
      this.stats.cutOff += 1;
      this.o.logger.info(
        { tenantId: sub.tenantId, userId: sub.userId, buffered: sub.res.writableLength },
        'stream: a slow client was cut off',
      );
      this.remove(sub);
      sub.res.destroy();
      return false;
    }
    sub.res.write(frame);
    return true;
  }

  private deliver(sub: Subscriber, e: LoggedEvent): void {
    if (!sub.wants(e)) return;
    if (this.write(sub, e.frame)) {
      sub.cursor = e.pos;
      this.stats.delivered += 1;
    }
  }

  /** Catch-up output waits for the client instead (it is bounded by what it asks for). */
  private async drained(sub: Subscriber): Promise<void> {
    if (sub.res.writableLength <= this.o.maxBufferBytes / 2 || sub.closed) return;
    await new Promise((resolve) => {
      sub.res.once('drain', resolve);
      sub.res.once('close', resolve);
    });
  }

  /**
   * Catches a subscriber up to the hub's head: from memory when its position is still in the
   * ring, otherwise from the log (its own tenant and user, RLS applying), then from memory.
   */
  private async pump(sub: Subscriber): Promise<void> {
    if (sub.pumping) return;
    sub.pumping = true;
    try {
      while (!sub.closed && !sub.synced && this.head !== undefined) {
        await this.drained(sub);
        if (sub.cursor >= this.floor) {
          // From memory, as far as the client takes it without waiting; then it is live.
          for (const e of this.ring) {
            if (sub.res.writableLength > this.o.maxBufferBytes / 2) break;
            this.deliver(sub, e);
          }
          if (sub.res.writableLength > this.o.maxBufferBytes / 2) continue;
          sub.cursor = maxPosition(sub.cursor, this.head);
          sub.synced = true;
          return;
        }
        const read = await readCatchUp(
          this.o.database,
          { tenantId: sub.tenantId, userId: sub.userId },
          sub.cursor,
          this.o.batchSize,
          this.head as Position,
        );
        for (const e of read.events) this.deliver(sub, e);
        sub.cursor = maxPosition(sub.cursor, read.next);
      }
    } catch (err) {
      this.o.logger.warn({ err }, 'stream: catching a client up failed; it will reconnect');
      this.remove(sub);
      sub.res.destroy();
    } finally {
      sub.pumping = false;
    }
  }

  /**
   * Asks for a read of the log; reads in flight coalesce into one more, and reads start at least
   * READ_GAP_MS apart (a flood of commits costs a few hundred reads a second, not one each).
   */
  wake(): void {
    if (this.head === undefined || this.closed) return;
    if (this.reading) {
      this.readAgain = true;
      return;
    }
    void this.read();
  }

  private async read(): Promise<void> {
    this.reading = true;
    try {
      do {
        const gap = this.lastRead + READ_GAP_MS - Date.now();
        if (gap > 0) await new Promise((r) => setTimeout(r, gap));
        this.readAgain = false;
        this.lastRead = Date.now();
        const read = await readTail(this.o.database, this.head as Position, this.o.batchSize);
        if (read.events.length) this.append(read.events);
        this.head = maxPosition(this.head as Position, read.next);
        if (read.more) this.readAgain = true;
      } while (this.readAgain && !this.closed);
    } catch (err) {
      this.o.logger.warn({ err }, 'stream: reading the log failed; the backstop retries');
    } finally {
      this.reading = false;
    }
  }

  private append(events: LoggedEvent[]): void {
    for (const e of events) {
      this.ring.push(e);
      const subs = this.byTenant.get(e.tenantId);
      if (subs) for (const sub of subs) if (sub.synced) this.deliver(sub, e);
    }
    const excess = this.ring.length - this.o.ringSize;
    if (excess > 0) {
      this.floor = this.ring[excess - 1]!.pos;
      this.ring = this.ring.slice(excess);
    }
  }

  private heartbeat(): void {
    for (const set of this.byTenant.values())
      for (const sub of set) if (sub.synced) this.write(sub, ': ping\n\n');
  }

  /** Ends every stream (clients reconnect elsewhere) and stops reading. */
  async close(): Promise<void> {
    this.closed = true;
    this.stopListening?.();
    for (const t of this.timers) clearInterval(t);
    for (const set of this.byTenant.values())
      for (const sub of set) {
        sub.closed = true;
        sub.res.end();
      }
    this.byTenant.clear();
    this.count = 0;
    await this.o.fanout.close();
  }
}
