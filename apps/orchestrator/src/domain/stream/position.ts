import { AppError } from '@afenda/platform/errors';

/**
 * A place in the stream's log: the number the fan-out reader gave an event once it had
 * committed (commit order, see read-log.ts). Sent to clients as the SSE `id:`, read back from
 * Last-Event-ID.
 */
export type Position = bigint;

const EVENT_ID = /^\d{1,19}$/;
/** "<transaction>-<row>": an id sent before the log was numbered (migration 0017). */
const OLD_EVENT_ID = /^\d{1,20}-\d{1,20}$/;

export const formatPosition = (p: Position): string => p.toString();

/**
 * The client's Last-Event-ID as a position; undefined when there is none, or when it is an id of
 * the log's old numbering (that client resumes from now, as a new one does).
 */
export function parsePosition(value: string | undefined): Position | undefined {
  if (value === undefined || value === '') return undefined;
  const id = value.trim();
  if (EVENT_ID.test(id) && BigInt(id) <= 0x7fffffffffffffffn) return BigInt(id);
  if (OLD_EVENT_ID.test(id)) return undefined;
  throw new AppError(
    'STREAM_EVENT_ID_INVALID',
    400,
    'Last-Event-ID is not an event id this stream sent',
    { lastEventId: value.slice(0, 100) },
  );
}

export const maxPosition = (a: Position, b: Position): Position => (a >= b ? a : b);
