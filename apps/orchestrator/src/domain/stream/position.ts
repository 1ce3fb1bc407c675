import { AppError } from '@afenda/platform/errors';

/**
 * A place in the stream's log: (transaction id, row id), the order in which events become final.
 * Sent to clients as the SSE `id:` "<tx>-<id>", and read back from Last-Event-ID.
 */
export interface Position {
  tx: bigint;
  id: bigint;
}

const EVENT_ID = /^(\d{1,20})-(\d{1,20})$/;

export const formatPosition = (p: Position): string => `${p.tx}-${p.id}`;

export function parsePosition(value: string | undefined): Position | undefined {
  if (value === undefined || value === '') return undefined;
  const m = EVENT_ID.exec(value.trim());
  if (m) return { tx: BigInt(m[1]!), id: BigInt(m[2]!) };
  throw new AppError(
    'STREAM_EVENT_ID_INVALID',
    400,
    'Last-Event-ID is not an event id this stream sent',
    { lastEventId: value.slice(0, 100) },
  );
}

export function comparePositions(a: Position, b: Position): number {
  if (a.tx !== b.tx) return a.tx < b.tx ? -1 : 1;
  if (a.id !== b.id) return a.id < b.id ? -1 : 1;
  return 0;
}

export const maxPosition = (a: Position, b: Position): Position =>
  comparePositions(a, b) >= 0 ? a : b;
