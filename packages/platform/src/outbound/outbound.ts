/**
 * Outbound actions: calls into other tools made because something happened here (a decision
 * posted back to Chatwoot, ...). Created in the transaction of what caused them, together with
 * their job, one per kind and subject; run off the request path; retried with backoff and
 * jitter; dead-lettered; replayable. A failure never reaches the user whose action caused it.
 *
 * The row stays locked while the call is made, so two runs of one action never overlap; a
 * crash between the remote call and the commit can repeat the call once (at-least-once), which
 * the handlers make harmless where the remote API allows (labels are merged, not appended).
 */
import type { OutboundView } from '@afenda/contracts';
import type { Database, Tx } from '@afenda/db';
import { schema } from '@afenda/db';
import { and, desc, eq, lt } from 'drizzle-orm';
import { addJobInTx, type JobQueue } from '../jobs/queue.ts';
import { recordFailure, replayTable, sweepTable, type RetryPolicy } from '../jobs/retry.ts';

const O = schema.outboundActions;
export type OutboundRow = typeof O.$inferSelect;
export type OutboundHandler = (tx: Tx, action: OutboundRow) => Promise<Record<string, unknown>>;

export const OUTBOUND_TASK = 'outbound.run';

/** How a call into a tool ended: done, failed (retried later) or dead (given up, a dead letter). */
export type OutboundResult = 'done' | 'failed' | 'dead';

/** Calls into the tools made by this process, by kind and result (served as a counter at /metrics). */
export class OutboundCalls {
  private readonly counts = new Map<string, { kind: string; result: OutboundResult; n: number }>();
  count(kind: string, result: OutboundResult): void {
    const key = `${kind}\u0000${result}`;
    const entry = this.counts.get(key);
    if (entry) entry.n += 1;
    else this.counts.set(key, { kind, result, n: 1 });
  }
  entries(): { kind: string; result: OutboundResult; n: number }[] {
    return [...this.counts.values()];
  }
}

export interface OutboundDeps {
  database: Database;
  queue: JobQueue;
  retry: RetryPolicy;
  handlers: Map<string, OutboundHandler>;
  calls?: OutboundCalls;
}

/** In the caller's transaction: the action and its job exist if and only if it commits. */
export async function enqueueOutbound(
  tx: Tx,
  input: { tenantId: string; kind: string; subjectId: string; payload?: Record<string, unknown> },
): Promise<string | null> {
  const [row] = await tx
    .insert(O)
    .values({
      tenantId: input.tenantId,
      kind: input.kind,
      subjectId: input.subjectId,
      payload: input.payload ?? {},
    })
    .onConflictDoNothing({ target: [O.tenantId, O.kind, O.subjectId] })
    .returning({ id: O.id });
  if (!row) return null;
  await addJobInTx(tx, {
    task: OUTBOUND_TASK,
    payload: { tenantId: input.tenantId, id: row.id },
  });
  return row.id;
}

export async function runOutbound(deps: OutboundDeps, tenantId: string, id: string): Promise<void> {
  let kind: string | undefined;
  try {
    await deps.database.transaction({ service: 'jobs', tenantId }, async (tx) => {
      const [row] = await tx
        .select()
        .from(O)
        .where(and(eq(O.tenantId, tenantId), eq(O.id, id)))
        .for('update', { skipLocked: true });
      if (!row || row.status === 'done' || row.status === 'dead') return;
      kind = row.kind;
      const handler = deps.handlers.get(row.kind);
      if (!handler) throw new Error(`no handler for outbound action "${row.kind}"`);
      const result = await handler(tx, row);
      await tx
        .update(O)
        .set({
          status: 'done',
          result,
          attempts: row.attempts + 1,
          lastError: null,
          doneAt: new Date(),
          updatedAt: new Date(),
        })
        .where(and(eq(O.tenantId, tenantId), eq(O.id, id)));
    });
    if (kind) deps.calls?.count(kind, 'done');
  } catch (err) {
    const status = await recordFailure(deps, 'outbound_actions', id, err, {
      task: OUTBOUND_TASK,
      payload: { tenantId, id },
    });
    if (kind) deps.calls?.count(kind, status);
  }
}

export function sweepOutbound(
  deps: { database: Database; queue: JobQueue },
  recoveryAfterS: number,
): Promise<number> {
  return sweepTable(deps, 'outbound_actions', ['pending', 'failed'], recoveryAfterS, (r) => ({
    task: OUTBOUND_TASK,
    payload: { tenantId: r.tenant_id, id: r.id },
  }));
}

export const outboundView = (r: OutboundRow): OutboundView => ({
  id: r.id,
  kind: r.kind,
  subjectId: r.subjectId,
  status: r.status,
  attempts: r.attempts,
  lastError: r.lastError,
  result: r.result ?? null,
  nextAttemptAt: r.status === 'failed' ? r.nextAttemptAt.toISOString() : null,
  createdAt: r.createdAt.toISOString(),
  doneAt: r.doneAt?.toISOString() ?? null,
});

export async function listOutbound(
  database: Database,
  tenantId: string,
  filter: { status?: OutboundRow['status']; subjectId?: string; limit: number; before?: Date },
): Promise<OutboundRow[]> {
  return database.withTenant(tenantId, (tx) =>
    tx
      .select()
      .from(O)
      .where(
        and(
          eq(O.tenantId, tenantId),
          filter.status ? eq(O.status, filter.status) : undefined,
          filter.subjectId ? eq(O.subjectId, filter.subjectId) : undefined,
          filter.before ? lt(O.createdAt, filter.before) : undefined,
        ),
      )
      .orderBy(desc(O.createdAt), desc(O.id))
      .limit(filter.limit),
  );
}

/**
 * Dead or failed actions back to pending, queued now (ids, or all): of one tenant, or with
 * tenantId null (operators, the command line) of every one.
 */
export function replayOutbound(
  deps: { database: Database; queue: JobQueue },
  tenantId: string | null,
  ids?: string[],
): Promise<string[]> {
  return replayTable(
    deps,
    'outbound_actions',
    { from: ['dead', 'failed'], to: 'pending', ids, tenantId: tenantId ?? undefined },
    (r) => ({ task: OUTBOUND_TASK, payload: { tenantId: r.tenant_id, id: r.id } }),
  );
}
