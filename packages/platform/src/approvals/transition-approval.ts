import type { Approval } from '@afenda/contracts';
import type { Database } from '@afenda/db';
import { and, eq } from 'drizzle-orm';
import { AppError, forbidden } from '../errors.ts';
import { recordActivity } from '../activity/record-activity.ts';
import { A, appendEvent, loadVisible, toApproval } from './approvals.ts';
import type { Actor } from '../context.ts';
import type { ApprovalRegistry } from './registry.ts';

function wrongState(current: string, wanted: string): AppError {
  const code =
    current === 'approved' || current === 'rejected'
      ? 'APPROVAL_ALREADY_DECIDED'
      : current === 'draft'
        ? 'APPROVAL_NOT_SUBMITTED'
        : 'APPROVAL_NOT_DRAFT';
  return new AppError(code, 409, `The approval is ${current}; it must be ${wanted} for this`, {
    status: current,
  });
}

/** draft → submitted, by its requester. */
export async function submitApproval(
  types: ApprovalRegistry,
  database: Database,
  actor: Actor,
  id: string,
): Promise<Approval> {
  return database.withTenant(
    actor.tenantId,
    async (tx) => {
      const current = await loadVisible(tx, actor, id);
      if (current.requestedBy !== actor.userId)
        throw forbidden('Only the requester can submit this');
      const [row] = await tx
        .update(A)
        .set({ status: 'submitted', submittedAt: new Date(), updatedAt: new Date() })
        .where(and(eq(A.tenantId, actor.tenantId), eq(A.id, id), eq(A.status, 'draft')))
        .returning();
      if (!row) throw wrongState((await loadVisible(tx, actor, id)).status, 'draft');
      await appendEvent(tx, {
        tenantId: actor.tenantId,
        approvalId: id,
        eventType: 'submitted',
        fromStatus: 'draft',
        toStatus: 'submitted',
        actorId: actor.userId,
      });
      const type = types.type(row.type);
      await recordActivity(tx, {
        tenantId: actor.tenantId,
        actorId: actor.userId,
        source: row.source,
        subjectType: 'approval',
        subjectId: id,
        verb: 'submitted',
        title: `${type?.title ?? 'Approval'} requested: ${row.title}`,
        description: row.description,
        data: { approvalType: row.type, status: 'submitted' },
      });
      const approval = toApproval(row);
      await types.run('submitted', tx, approval);
      return approval;
    },
    actor.userId,
  );
}

/**
 * submitted → approved | rejected. The transition is one conditional UPDATE (… WHERE status =
 * 'submitted'): of any number of concurrent decisions exactly one changes the row; every other
 * gets 409 APPROVAL_ALREADY_DECIDED with the state it lost to.
 */
export async function decideApproval(
  types: ApprovalRegistry,
  database: Database,
  actor: Actor,
  id: string,
  decision: 'approved' | 'rejected',
  comment: string | undefined,
  /** Where the decision was made: the Shell, or a tool (a reply in Matrix: 'matrix'). */
  options: { source?: string } = {},
): Promise<Approval> {
  const source = options.source ?? 'shell';
  if (decision === 'rejected' && !comment) {
    throw new AppError('APPROVAL_REASON_REQUIRED', 400, 'A rejection needs a reason', {
      field: 'body.reason',
    });
  }
  return database.withTenant(
    actor.tenantId,
    async (tx) => {
      const current = await loadVisible(tx, actor, id);
      const type = types.type(current.type);
      if (current.requestedBy === actor.userId) {
        throw new AppError('APPROVAL_SELF_DECISION', 403, 'Nobody decides their own request');
      }
      if (!type?.mayDecide(actor)) {
        throw new AppError(
          'APPROVAL_DECIDER_REQUIRED',
          403,
          `Only the organisation's owners or approvers decide a ${type?.title ?? current.type}`,
        );
      }
      const now = new Date();
      const [row] = await tx
        .update(A)
        .set({
          status: decision,
          decision,
          decidedBy: actor.userId,
          decidedAt: now,
          decisionComment: comment ?? null,
          updatedAt: now,
        })
        .where(and(eq(A.tenantId, actor.tenantId), eq(A.id, id), eq(A.status, 'submitted')))
        .returning();
      if (!row) {
        const [latest] = await tx
          .select({ status: A.status })
          .from(A)
          .where(and(eq(A.tenantId, actor.tenantId), eq(A.id, id)));
        throw wrongState(latest?.status ?? current.status, 'submitted');
      }
      const approval = toApproval(row);
      await appendEvent(tx, {
        tenantId: actor.tenantId,
        approvalId: id,
        eventType: decision,
        fromStatus: 'submitted',
        toStatus: decision,
        actorId: actor.userId,
        data: { ...(comment ? { comment } : {}), ...(source === 'shell' ? {} : { source }) },
      });
      await recordActivity(tx, {
        tenantId: actor.tenantId,
        actorId: actor.userId,
        source,
        subjectType: 'approval',
        subjectId: id,
        verb: decision,
        title: `${type.title} ${decision}: ${row.title}`,
        description: comment ?? '',
        data: { approvalType: row.type, requestedBy: row.requestedBy, decision },
      });
      await types.run('decided', tx, approval);
      return approval;
    },
    actor.userId,
  );
}
