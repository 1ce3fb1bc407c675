import type { Approval } from '@afenda/contracts';
import type { Database, Tx } from '@afenda/db';
import { AppError, forbidden } from '../errors.ts';
import { recordActivity } from '../activity/record-activity.ts';
import { A, appendEvent, toApproval } from './approvals.ts';
import type { Actor } from '../context.ts';
import type { ApprovalRegistry } from './registry.ts';

export interface CreateApprovalInput {
  type: string;
  title: string;
  description: string;
  source: string;
  sourceRef?: string;
  metadata: Record<string, unknown>;
  submit: boolean;
}

/** A draft, or (submit: true) a submitted request, with its ledger event and timeline entry. */
export async function createApproval(
  types: ApprovalRegistry,
  database: Database,
  actor: Actor,
  input: CreateApprovalInput,
): Promise<Approval> {
  return database.withTenant(
    actor.tenantId,
    (tx) => insertApproval(types, tx, actor, input),
    actor.userId,
  );
}

/** createApproval inside the caller's transaction (the tenant set for the actor's tenant). */
export async function insertApproval(
  types: ApprovalRegistry,
  tx: Tx,
  actor: Actor,
  input: CreateApprovalInput,
): Promise<Approval> {
  const type = types.type(input.type);
  if (!type) {
    throw new AppError('APPROVAL_TYPE_UNKNOWN', 400, `There is no approval type "${input.type}"`, {
      known: types.list().map((t) => t.id),
    });
  }
  if (actor.role === 'viewer') throw forbidden('Viewers cannot request approvals');
  const parsed = type.metadata.safeParse(input.metadata);
  if (!parsed.success) {
    throw new AppError(
      'APPROVAL_METADATA_INVALID',
      400,
      `The metadata does not fit the ${type.id} type`,
      {
        fields: parsed.error.issues.map((i) => ({
          field: ['metadata', ...i.path].join('.'),
          message: i.message,
        })),
      },
    );
  }
  const status = input.submit ? 'submitted' : 'draft';
  const now = new Date();
  const [row] = await tx
    .insert(A)
    .values({
      tenantId: actor.tenantId,
      type: type.id,
      status,
      title: input.title,
      description: input.description,
      source: input.source,
      sourceRef: input.sourceRef ?? null,
      metadata: parsed.data,
      requestedBy: actor.userId,
      submittedAt: input.submit ? now : null,
    })
    .returning();
  const approval = toApproval(row!);
  await appendEvent(tx, {
    tenantId: actor.tenantId,
    approvalId: approval.id,
    eventType: 'created',
    fromStatus: null,
    toStatus: 'draft',
    actorId: actor.userId,
  });
  if (input.submit) {
    await appendEvent(tx, {
      tenantId: actor.tenantId,
      approvalId: approval.id,
      eventType: 'submitted',
      fromStatus: 'draft',
      toStatus: 'submitted',
      actorId: actor.userId,
    });
  }
  await recordActivity(tx, {
    tenantId: actor.tenantId,
    actorId: actor.userId,
    source: input.source,
    subjectType: 'approval',
    subjectId: approval.id,
    verb: input.submit ? 'submitted' : 'created',
    title: input.submit
      ? `${type.title} requested: ${input.title}`
      : `Draft ${type.title.toLowerCase()}: ${input.title}`,
    description: input.description,
    data: { approvalType: type.id, status },
  });
  if (input.submit) await types.run('submitted', tx, approval);
  return approval;
}
