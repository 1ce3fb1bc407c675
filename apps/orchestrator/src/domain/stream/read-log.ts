import type { Database } from '@afenda/db';
import { sql } from 'drizzle-orm';
import { formatPosition, type Position } from './position.ts';

/** An event of the log, with its SSE frame serialised once for every connection it goes to. */
export interface LoggedEvent {
  pos: Position;
  tenantId: string;
  userId: string | null;
  frame: string;
}

export interface LogRead {
  /** Final events after the position asked for, in order. */
  events: LoggedEvent[];
  /** Where the next read starts: every final event before it has been returned. */
  next: Position;
  /** The batch was full: read again at once. */
  more: boolean;
  /** Committed events exist beyond `next` that are not final yet: read again shortly. */
  pending: boolean;
}

/** Whose events: every tenant's (the fan-out reader), or one user's in one tenant (a catch-up). */
export type LogScope = { all: true } | { all?: false; tenantId: string; userId: string };

interface Row extends Record<string, unknown> {
  xmin: string;
  tenant_id: string | null;
  user_id: string | null;
  name: string | null;
  tx: string | null;
  id: string | null;
  data: string | null;
  final: boolean | null;
}

/**
 * Reads the log after `from`, up to the safe horizon. Event ids come from a sequence, and
 * transactions commit in any order, so a reader that handed out "everything committed" could
 * hand out event 11 while event 10's transaction is still to commit, and a client resuming
 * after 11 would never get 10. Rows are therefore ordered by (writing transaction id, id), and
 * only rows written by transactions older than the oldest transaction still running
 * (pg_snapshot_xmin of this statement's snapshot) are final: every transaction below that has
 * ended, so nothing can ever appear before a final row. Later rows wait for the next read.
 */
export async function readLog(
  database: Database,
  scope: LogScope,
  from: Position,
  limit: number,
): Promise<LogRead> {
  const after = sql`${from.tx.toString()}::xid8, ${from.id.toString()}::bigint`;
  const { rows } = scope.all
    ? // Every tenant's: the fan-out reader's one statement (afenda.stream_tail, 0007).
      await database.db.execute<Row>(sql`
        select horizon::text as xmin, tenant_id, user_id, name, tx_id::text as tx, id::text as id,
               data, final
        from afenda.stream_tail(${after}, ${limit})`)
    : // One user's in one tenant, row-level security applying: a client catching up.
      await database.withTenant(
        scope.tenantId,
        (tx) =>
          tx.execute<Row>(sql`
            with h as (select pg_snapshot_xmin(pg_current_snapshot()) as xmin)
            select h.xmin::text as xmin, e.tenant_id, e.user_id, e.name, e.tx_id::text as tx,
                   e.id::text as id, e.payload::text as data, (e.tx_id < h.xmin) as final
            from h left join lateral (
              select s.tenant_id, s.user_id, s.name, s.tx_id, s.id, s.payload
              from stream_events s
              where s.tenant_id = ${scope.tenantId}::uuid
                and (s.user_id is null or s.user_id = ${scope.userId}::uuid)
                and (s.tx_id, s.id) > (${after})
              order by s.tx_id, s.id
              limit ${limit}
            ) e on true`),
        scope.userId,
      );
  const events: LoggedEvent[] = [];
  let pending = false;
  for (const r of rows) {
    if (r.tx === null || r.id === null) break; // no rows: the horizon only
    if (!r.final) {
      pending = true;
      break;
    }
    const pos = { tx: BigInt(r.tx), id: BigInt(r.id) };
    events.push({
      pos,
      tenantId: r.tenant_id as string,
      userId: r.user_id,
      frame: `id: ${formatPosition(pos)}\nevent: ${r.name}\ndata: ${r.data}\n\n`,
    });
  }
  const more = !pending && events.length === limit;
  const last = events.at(-1)?.pos ?? from;
  // Nothing more final before the horizon: everything below it has been seen.
  const horizon = { tx: BigInt(rows[0]?.xmin ?? '0'), id: 0n };
  const next = pending || more ? last : horizon.tx > last.tx ? horizon : last;
  return { events, next, more, pending };
}

/** The current horizon: where a reader that wants only what comes next starts. */
export async function logHorizon(database: Database): Promise<Position> {
  const { rows } = await database.pool.query<{ xmin: string }>(
    'select pg_snapshot_xmin(pg_current_snapshot())::text as xmin',
  );
  return { tx: BigInt(rows[0]!.xmin), id: 0n };
}
