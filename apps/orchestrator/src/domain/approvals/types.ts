import type { Approval } from '@afenda/contracts';
import type { Tx } from '@afenda/db';
import { z } from 'zod';

/** The caller's standing in the approval's tenant. */
export interface DeciderContext {
  role: 'owner' | 'admin' | 'member' | 'viewer';
  canApprove: boolean;
}

/** What a type declares: who may decide, the metadata it requires, what happens after. */
export interface ApprovalType {
  id: string;
  title: string;
  metadata: z.ZodType<Record<string, unknown>>;
  mayDecide(ctx: DeciderContext): boolean;
}

/** Runs inside the transition's transaction: what it writes commits or rolls back with it. */
export type DecisionHook = (tx: Tx, approval: Approval) => Promise<void>;
export type SubmissionHook = DecisionHook;

const ownersOrApprovers = (ctx: DeciderContext) => ctx.role === 'owner' || ctx.canApprove;

const types = new Map<string, ApprovalType>();
const hooks = new Map<string, DecisionHook[]>();
const submissionHooks = new Map<string, SubmissionHook[]>();

export function registerApprovalType(type: ApprovalType): void {
  if (types.has(type.id)) throw new Error(`approval type ${type.id} is already registered`);
  types.set(type.id, type);
}

export function approvalType(id: string): ApprovalType | undefined {
  return types.get(id);
}

export function approvalTypes(): ApprovalType[] {
  return [...types.values()];
}

function register(registry: Map<string, DecisionHook[]>, typeId: string, hook: DecisionHook) {
  registry.set(typeId, [...(registry.get(typeId) ?? []), hook]);
  return () =>
    registry.set(
      typeId,
      (registry.get(typeId) ?? []).filter((h) => h !== hook),
    );
}

async function run(registry: Map<string, DecisionHook[]>, tx: Tx, approval: Approval) {
  for (const hook of [...(registry.get(approval.type) ?? []), ...(registry.get('*') ?? [])])
    await hook(tx, approval);
}

/** The extension point: modules register what happens after a type is decided ('*' for all). */
export function onApprovalDecided(typeId: string, hook: DecisionHook): () => void {
  return register(hooks, typeId, hook);
}

export async function runDecisionHooks(tx: Tx, approval: Approval): Promise<void> {
  await run(hooks, tx, approval);
}

/** What happens when a request of the type is submitted, i.e. awaits a decision ('*' for all). */
export function onApprovalSubmitted(typeId: string, hook: SubmissionHook): () => void {
  return register(submissionHooks, typeId, hook);
}

export async function runSubmissionHooks(tx: Tx, approval: Approval): Promise<void> {
  await run(submissionHooks, tx, approval);
}

registerApprovalType({
  id: 'ceo_approval',
  title: 'CEO approval',
  metadata: z
    .object({
      conversationId: z.union([z.string(), z.number()]).optional(),
      customer: z.string().max(200).optional(),
      amount: z.number().nonnegative().optional(),
      currency: z.string().length(3).optional(),
    })
    .loose(),
  mayDecide: ownersOrApprovers,
});

registerApprovalType({
  id: 'consultation_room',
  title: 'Consultation room',
  metadata: z
    .object({
      // User ids of the tenant's members; the requester is always in the room.
      participants: z.array(z.uuid()).min(1).max(50),
      // Who moderates it; default: the requester.
      moderator: z.uuid().optional(),
      // Default: ROOM_TTL_MINUTES (120).
      durationMinutes: z.number().int().min(5).max(480).optional(),
      topic: z.string().max(200).optional(),
    })
    .loose(),
  mayDecide: ownersOrApprovers,
});

registerApprovalType({
  id: 'generic',
  title: 'Approval',
  metadata: z.record(z.string(), z.unknown()),
  mayDecide: (ctx) => ctx.role === 'owner' || ctx.role === 'admin' || ctx.canApprove,
});
