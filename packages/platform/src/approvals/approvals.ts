import type { Approval } from '@afenda/contracts';
import { schema, type Tx } from '@afenda/db';
import { and, eq } from 'drizzle-orm';
import type { Actor } from '../context.ts';
import { AppError } from '../errors.ts';

export const A = schema.approvals;
type Row = typeof A.$inferSelect;

export const toApproval = (r: Row): Approval => ({
  id: r.id,
  tenantId: r.tenantId,
  type: r.type,
  status: r.status,
  title: r.title,
  description: r.description,
  source: r.source,
  sourceRef: r.sourceRef,
  metadata: r.metadata,
  requestedBy: r.requestedBy,
  decidedBy: r.decidedBy,
  decision: r.decision,
  decisionComment: r.decisionComment,
  createdAt: r.createdAt.toISOString(),
  submittedAt: r.submittedAt?.toISOString() ?? null,
  decidedAt: r.decidedAt?.toISOString() ?? null,
});

export const approvalNotFound = () => new AppError('APPROVAL_NOT_FOUND', 404, 'Approval not found');

/** The approval as this caller may see it: drafts are their requester's only. */
export async function loadVisible(tx: Tx, actor: Actor, id: string): Promise<Row> {
  const [row] = await tx
    .select()
    .from(A)
    .where(and(eq(A.tenantId, actor.tenantId), eq(A.id, id)));
  if (!row || (row.status === 'draft' && row.requestedBy !== actor.userId))
    throw approvalNotFound();
  return row;
}

/** Appends to the ledger; the database chains it (seq, prev_hash, hash). */
export async function appendEvent(
  tx: Tx,
  e: {
    tenantId: string;
    approvalId: string;
    eventType: string;
    fromStatus: string | null;
    toStatus: string;
    actorId: string;
    data?: Record<string, unknown>;
  },
): Promise<void> {
  await tx
    .insert(schema.approvalEvents)
    .values({ ...e, data: e.data ?? {}, seq: 0, prevHash: Buffer.alloc(0), hash: Buffer.alloc(0) });
}
