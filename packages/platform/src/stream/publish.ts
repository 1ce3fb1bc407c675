import type { StreamEventName } from '@afenda/contracts';
import { afterCommit, beforeCommit, schema, type Tx } from '@afenda/db';

/** One event for the live stream: to one user of the tenant, or (userId null) to all its members. */
export interface StreamEventInput {
  tenantId: string;
  userId: string | null;
  name: StreamEventName;
  /** The event's data as the contracts define it (a Notification, an ActivityEntry, ...). */
  subject: unknown;
}

type CommitListener = (tenantIds: ReadonlySet<string>) => void;
const listeners = new Set<CommitListener>();
let publishing = true;

/** STREAM_ENABLED: off, publishing writes nothing (notifications are still stored). */
export function setStreamPublishing(on: boolean): void {
  publishing = on;
}

/**
 * Called once a transaction that published stream events has committed, with its tenants: the
 * stream hubs of this process read at once, the fan-out tells the other processes (coalesced).
 */
export function onStreamCommit(listener: CommitListener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

const pending = new WeakMap<Tx, StreamEventInput[]>();

/**
 * Appends events to the stream's log in the caller's transaction: they exist if and only if
 * what they announce does. A transaction's events are gathered and written as one INSERT just
 * before it commits. Nothing is signalled inside the transaction (no NOTIFY: it would serialise
 * commits); the signal goes out after the commit, see onStreamCommit.
 */
export async function publishStreamEvents(tx: Tx, events: StreamEventInput[]): Promise<void> {
  if (!publishing || events.length === 0) return;
  const gathered = pending.get(tx);
  if (gathered) {
    gathered.push(...events);
    return;
  }
  const list = [...events];
  pending.set(tx, list);
  beforeCommit(tx, async () => {
    await tx.insert(schema.streamEvents).values(
      list.map((e) => ({
        tenantId: e.tenantId,
        userId: e.userId,
        name: e.name,
        payload: e.subject,
      })),
    );
  });
  afterCommit(tx, () => {
    const tenants = new Set(list.map((e) => e.tenantId));
    for (const listener of listeners) listener(tenants);
  });
}

/** publishStreamEvents for one event, e.g. `publishStreamEvent(tx, { tenantId, userId: null, name: 'conversation', subject })`. */
export function publishStreamEvent(tx: Tx, event: StreamEventInput): Promise<void> {
  return publishStreamEvents(tx, [event]);
}
