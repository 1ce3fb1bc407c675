import type { StreamEventName } from '@afenda/contracts';
import { actInTenant, afterCommit, beforeCommit, schema, tenantOf, type Tx } from '@afenda/db';

/** One event for the live stream: to one user of the tenant, or (userId null) to all its members. */
export interface StreamEventInput {
  tenantId: string;
  userId: string | null;
  name: StreamEventName;
  /** The event's data as the contracts define it (a Notification, an ActivityEntry, ...). */
  subject: unknown;
}

/** `urgent`: the transaction rang someone's bell (a notification), not only a list changing. */
type CommitListener = (tenantIds: ReadonlySet<string>, urgent: boolean) => void;
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
  beforeCommit(tx, () => writeEvents(tx, list));
  afterCommit(tx, () => {
    const tenants = new Set(list.map((e) => e.tenantId));
    const urgent = list.some((e) => e.name === 'notification');
    for (const listener of listeners) listener(tenants, urgent);
  });
}

/**
 * The gathered events, one INSERT per tenant. Row-level security checks each row against the
 * transaction's tenant, and one transaction may act in several (a Matrix transaction spans an
 * organisation's rooms, each switching the tenant as it goes): each tenant's rows are written in
 * that tenant's context, and the context the transaction had is restored after.
 */
async function writeEvents(tx: Tx, list: StreamEventInput[]): Promise<void> {
  const byTenant = new Map<string, StreamEventInput[]>();
  for (const e of list) {
    const group = byTenant.get(e.tenantId);
    if (group) group.push(e);
    else byTenant.set(e.tenantId, [e]);
  }
  const rows = (events: StreamEventInput[]) =>
    events.map((e) => ({
      tenantId: e.tenantId,
      userId: e.userId,
      name: e.name,
      payload: e.subject,
    }));
  const current = tenantOf(tx);
  if (byTenant.size === 1 && byTenant.has(current)) {
    await tx.insert(schema.streamEvents).values(rows(list));
    return;
  }
  for (const [tenantId, events] of byTenant) {
    await actInTenant(tx, tenantId);
    await tx.insert(schema.streamEvents).values(rows(events));
  }
  await actInTenant(tx, current);
}

/** publishStreamEvents for one event, e.g. `publishStreamEvent(tx, { tenantId, userId: null, name: 'conversation', subject })`. */
export function publishStreamEvent(tx: Tx, event: StreamEventInput): Promise<void> {
  return publishStreamEvents(tx, [event]);
}
