/**
 * Group commit for webhook deliveries. Concurrent requests each hand their row to one writer per
 * database; the writer inserts what is waiting as one multi-row INSERT in one transaction (at
 * most `maxInFlight` such transactions at once, `maxBatch` rows each) and settles each request
 * only after that transaction has committed, so an acknowledged delivery is durable as before.
 * Under light load a row goes alone at once (nothing waits for a window); under load, rows that
 * arrive while transactions are in flight share the next one, and one fsync serves them all.
 *
 * Exactly-once is unchanged: the unique indexes on (source, delivery_id) and (source,
 * replay_key) decide, with ON CONFLICT DO NOTHING. Within one batch the same delivery id (or the
 * same signed payload) is sent once; the others are told they are its duplicates. If a batch
 * fails, each of its rows is tried again in its own transaction, so one bad row fails alone.
 */
import type { Database } from '@afenda/db';
import { schema } from '@afenda/db';

const D = schema.webhookDeliveries;
export type DeliveryInsert = typeof D.$inferInsert;
type Status = (typeof D.$inferSelect)['status'];

/** What a stored row's request learns: its row (new, or the one it repeats), or a conflict. */
export type WriteResult =
  | { id: string; status: Status; duplicate: boolean }
  /** A row already in the database has this delivery id or signed payload: look it up. */
  | { conflict: true };

interface Waiting {
  row: DeliveryInsert;
  resolve: (result: WriteResult) => void;
  reject: (err: unknown) => void;
}

/** One row to insert, and the requests in the batch that repeat it. */
interface Leader extends Waiting {
  followers: Waiting[];
}

export interface GroupCommitOptions {
  /** Rows per transaction at most. */
  maxBatch: number;
  /** Transactions at once at most (each holds one pool connection while it runs). */
  maxInFlight: number;
}

export const GROUP_COMMIT_DEFAULTS: GroupCommitOptions = { maxBatch: 64, maxInFlight: 2 };

const keysOf = (row: DeliveryInsert): string[] => [
  `d\0${row.source}\0${row.deliveryId}`,
  ...(row.replayKey ? [`r\0${row.source}\0${row.replayKey}`] : []),
];

/** The batch's distinct rows, each with the later requests that repeat it. */
function leadersOf(batch: Waiting[]): Leader[] {
  const byKey = new Map<string, Leader>();
  const leaders: Leader[] = [];
  for (const waiting of batch) {
    const keys = keysOf(waiting.row);
    const leader = keys.map((k) => byKey.get(k)).find((l) => l !== undefined);
    if (leader) {
      leader.followers.push(waiting);
      continue;
    }
    const next = { ...waiting, followers: [] };
    leaders.push(next);
    for (const k of keys) byKey.set(k, next);
  }
  return leaders;
}

export class DeliveryWriter {
  private waiting: Waiting[] = [];
  private inFlight = 0;
  private scheduled = false;

  constructor(
    private readonly database: Database,
    private readonly options: GroupCommitOptions = GROUP_COMMIT_DEFAULTS,
  ) {}

  /** Inserts the row (shared with concurrent ones); settles once it is committed. */
  write(row: DeliveryInsert): Promise<WriteResult> {
    return new Promise<WriteResult>((resolve, reject) => {
      this.waiting.push({ row, resolve, reject });
      // Requests parsed in the same turn of the event loop join the same batch.
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => {
          this.scheduled = false;
          this.pump();
        });
      }
    });
  }

  private pump(): void {
    while (this.inFlight < this.options.maxInFlight && this.waiting.length > 0) {
      const batch = this.waiting.splice(0, this.options.maxBatch);
      this.inFlight += 1;
      void this.flush(leadersOf(batch)).finally(() => {
        this.inFlight -= 1;
        this.pump();
      });
    }
  }

  private async flush(leaders: Leader[]): Promise<void> {
    let inserted: { id: string; status: Status; source: string; deliveryId: string }[];
    try {
      inserted = await this.database.transaction({ service: 'jobs' }, (tx) =>
        tx
          .insert(D)
          .values(leaders.map((l) => l.row))
          .onConflictDoNothing()
          .returning({ id: D.id, status: D.status, source: D.source, deliveryId: D.deliveryId }),
      );
    } catch (err) {
      if (leaders.length === 1) {
        for (const w of [leaders[0] as Leader, ...(leaders[0] as Leader).followers]) w.reject(err);
        return;
      }
      // One row may be what failed: each alone, so the others are still stored.
      for (const leader of leaders) await this.flush([leader]);
      return;
    }
    const byKey = new Map(inserted.map((r) => [`${r.source}\0${r.deliveryId}`, r]));
    for (const leader of leaders) {
      const row = byKey.get(`${leader.row.source}\0${leader.row.deliveryId}`);
      if (!row) {
        for (const w of [leader, ...leader.followers]) w.resolve({ conflict: true });
        continue;
      }
      leader.resolve({ id: row.id, status: row.status, duplicate: false });
      for (const f of leader.followers)
        f.resolve({ id: row.id, status: row.status, duplicate: true });
    }
  }
}

const writers = new WeakMap<Database, DeliveryWriter>();

/** The one writer of this database (created on first use). */
export function deliveryWriter(database: Database): DeliveryWriter {
  let writer = writers.get(database);
  if (!writer) {
    writer = new DeliveryWriter(database);
    writers.set(database, writer);
  }
  return writer;
}
