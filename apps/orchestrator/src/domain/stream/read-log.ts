import type { Database } from '@afenda/db';
import { sql } from 'drizzle-orm';
import { formatPosition, maxPosition, type Position } from './position.ts';

/** An event of the log, with its SSE frame serialised once for every connection it goes to. */
export interface LoggedEvent {
  pos: Position;
  tenantId: string;
  userId: string | null;
  frame: string;
}

export interface LogRead {
  /** Events after the position asked for, in order. */
  events: LoggedEvent[];
  /** Where the next read starts: every event up to it has been returned. */
  next: Position;
  /** The batch was full: read again at once. */
  more: boolean;
}

interface Row extends Record<string, unknown> {
  head?: string | null;
  tenant_id: string | null;
  user_id: string | null;
  name: string | null;
  seq: string | null;
  data: string | null;
}

function toRead(rows: Row[], from: Position, limit: number, head: Position): LogRead {
  const events: LoggedEvent[] = [];
  for (const r of rows) {
    if (r.seq === null) break; // no rows: the head only
    const pos = BigInt(r.seq);
    events.push({
      pos,
      tenantId: r.tenant_id as string,
      userId: r.user_id,
      frame: `id: ${formatPosition(pos)}\nevent: ${r.name}\ndata: ${r.data}\n\n`,
    });
  }
  const more = events.length === limit;
  const last = events.at(-1)?.pos ?? from;
  // A batch that was not full returned every event up to the head.
  return { events, next: more ? last : maxPosition(last, head), more };
}

/**
 * The fan-out reader's read: every tenant's events after `from`, in one statement
 * (afenda.stream_tail, 0017). An event takes its number from a sequence as its writer's last
 * statement, under a shared lock held to its commit; the read takes that lock exclusively, so
 * every writer holding a smaller number has ended and what it sees up to the highest number is
 * final: a reader (or a client resuming after n) that has seen n has seen everything before it.
 * It waits only for writers between their last statement and their commit, never for a
 * transaction still at work.
 */
export async function readTail(
  database: Database,
  from: Position,
  limit: number,
): Promise<LogRead> {
  const { rows } = await database.db.execute<Row>(sql`
    select head::text as head, tenant_id, user_id, name, seq::text as seq, data
    from afenda.stream_tail(${from.toString()}::bigint, ${limit})`);
  return toRead(rows, from, limit, BigInt(rows[0]?.head ?? '0'));
}

/**
 * One user's events in one tenant after `from` (row-level security applying): a client catching
 * up from the log, up to `head`, the fan-out reader's position before this read: every event up
 * to it was final then (a later number may still be committing), so a read that is not full has
 * returned all of them.
 */
export async function readCatchUp(
  database: Database,
  who: { tenantId: string; userId: string },
  from: Position,
  limit: number,
  head: Position,
): Promise<LogRead> {
  const { rows } = await database.withTenant(
    who.tenantId,
    (tx) =>
      tx.execute<Row>(sql`
        select tenant_id, user_id, name, seq::text as seq, payload::text as data
        from stream_events
        where tenant_id = ${who.tenantId}::uuid
          and (user_id is null or user_id = ${who.userId}::uuid)
          and seq > ${from.toString()}::bigint and seq <= ${head.toString()}::bigint
        order by seq
        limit ${limit}`),
    who.userId,
  );
  return toRead(rows, from, limit, head);
}

/** The current head (every event up to it final): where a reader that wants only what comes next starts. */
export async function logHead(database: Database): Promise<Position> {
  const { rows } = await database.db.execute<Row>(
    sql`select head::text as head from afenda.stream_tail(0, 0)`,
  );
  return BigInt(rows[0]?.head ?? '0');
}
