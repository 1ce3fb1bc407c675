import { sql, type AnyColumn, type SQL } from 'drizzle-orm';
import { AppError } from './errors.ts';

/**
 * Keyset pagination on (timestamp, id), opaque to clients. The timestamp travels at the
 * database's full precision (microseconds): a JavaScript Date would round it to milliseconds
 * and skip rows of the same millisecond.
 */
export interface Cursor {
  at: string;
  id: string;
}

const AT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;
const ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The column as text with microseconds, to select beside the rows of a page. */
export const cursorTime = (column: AnyColumn): SQL<string> =>
  sql<string>`to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

export function encodeCursor(at: string, id: string): string {
  return Buffer.from(JSON.stringify([at, id])).toString('base64url');
}

export function decodeCursor(cursor: string | undefined): Cursor | undefined {
  if (!cursor) return undefined;
  try {
    const [at, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as [
      unknown,
      unknown,
    ];
    if (typeof at === 'string' && AT.test(at) && typeof id === 'string' && ID.test(id))
      return { at, id };
  } catch {
    // fall through
  }
  throw new AppError('CURSOR_INVALID', 400, 'The cursor is not one this API returned', { cursor });
}

/**
 * Rows strictly before (newest-first pages) or after (oldest-first) the cursor, as a row
 * comparison, which PostgreSQL turns into one index seek: page 1,000 costs what page 1 does.
 */
export function beyond(
  time: AnyColumn,
  id: AnyColumn,
  cursor: Cursor,
  direction: 'before' | 'after',
): SQL {
  return direction === 'before'
    ? sql`(${time}, ${id}) < (${cursor.at}::timestamptz, ${cursor.id}::uuid)`
    : sql`(${time}, ${id}) > (${cursor.at}::timestamptz, ${cursor.id}::uuid)`;
}

/**
 * A page from rows fetched with `limit + 1` (the extra row says whether there is more): the
 * first `limit` rows, and the cursor after the last of them, or null at the end.
 */
export function keysetPage<R extends { cursorAt: string; id: string }>(
  rows: R[],
  limit: number,
): { page: R[]; nextCursor: string | null } {
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return {
    page,
    nextCursor: rows.length > limit && last ? encodeCursor(last.cursorAt, last.id) : null,
  };
}
