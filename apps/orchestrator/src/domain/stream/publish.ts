import type { StreamEventName } from '@afenda/contracts';
import { afterCommit, schema, type Tx } from '@afenda/db';

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

/**
 * Appends events to the stream's log in the caller's transaction: they exist if and only if
 * what they announce does. Nothing is signalled inside the transaction (no NOTIFY: it would
 * serialise commits); the signal goes out after the commit, see onStreamCommit.
 */
export async function publishStreamEvents(tx: Tx, events: StreamEventInput[]): Promise<void> {
  if (!publishing || events.length === 0) return;
  await tx.insert(schema.streamEvents).values(
    events.map((e) => ({
      tenantId: e.tenantId,
      userId: e.userId,
      name: e.name,
      payload: e.subject,
    })),
  );
  const tenants = new Set(events.map((e) => e.tenantId));
  afterCommit(tx, () => {
    for (const listener of listeners) listener(tenants);
  });
}

/** publishStreamEvents for one event, e.g. `publishStreamEvent(tx, { tenantId, userId: null, name: 'conversation', subject })`. */
export function publishStreamEvent(tx: Tx, event: StreamEventInput): Promise<void> {
  return publishStreamEvents(tx, [event]);
}
