import type { Approval } from '@afenda/contracts';
import type { Tx } from '@afenda/db';
import { z } from 'zod';
import type { Actor } from '../context.ts';

/** The caller's standing in the approval's tenant. */
export type DeciderContext = Pick<Actor, 'role' | 'canApprove'>;

/** What a type declares: who may decide, the metadata it requires. Its reactions are hooks. */
export interface ApprovalType {
  id: string;
  title: string;
  metadata: z.ZodType<Record<string, unknown>>;
  mayDecide(ctx: DeciderContext): boolean;
  /**
   * Whom or what an approval of this type is about, when the type knows (an escalated
   * conversation's customer): notification titles name it instead of the approval's title.
   */
  about?(approval: Approval): string | null;
}

/** Runs inside the transition's transaction: what it writes commits or rolls back with it. */
export type ApprovalHook = (tx: Tx, approval: Approval) => Promise<void>;

/** A reaction to an approval, named so that the list of what reacts can be printed. */
export interface NamedHook {
  /** Dotted, owner first: 'inbox.decision-note', 'notifications.requester'. */
  name: string;
  /** An approval type's id, or '*' for every type. */
  type: string;
  run: ApprovalHook;
}

export type HookEvent = 'submitted' | 'decided';

/** Owners, and whoever holds the approve permission. */
export const ownersOrApprovers = (ctx: DeciderContext) => ctx.role === 'owner' || ctx.canApprove;

/** The kernel's own type: any approval a member asks for, decided by owners, admins, approvers. */
export const genericApproval: ApprovalType = {
  id: 'generic',
  title: 'Approval',
  metadata: z.record(z.string(), z.unknown()),
  mayDecide: (ctx) => ctx.role === 'owner' || ctx.role === 'admin' || ctx.canApprove,
};

/**
 * The approval types and the hooks that react to them. One per Platform (no module state):
 * modules register their types and hooks on it, the engine reads it, and describe() lists
 * what reacts to what.
 */
export class ApprovalRegistry {
  private readonly types = new Map<string, ApprovalType>();
  private readonly hooks: Record<HookEvent, NamedHook[]> = { submitted: [], decided: [] };

  constructor(types: ApprovalType[] = [genericApproval]) {
    for (const type of types) this.register(type);
  }

  register(type: ApprovalType): void {
    if (this.types.has(type.id)) throw new Error(`approval type ${type.id} is already registered`);
    this.types.set(type.id, type);
  }

  type(id: string): ApprovalType | undefined {
    return this.types.get(id);
  }

  list(): ApprovalType[] {
    return [...this.types.values()];
  }

  /** Adds a hook for one type ('*' for all); returns its removal. */
  on(event: HookEvent, hook: NamedHook): () => void {
    if (hook.type !== '*' && !this.types.has(hook.type))
      throw new Error(`hook ${hook.name}: no approval type ${hook.type}`);
    this.hooks[event].push(hook);
    return () => {
      this.hooks[event] = this.hooks[event].filter((h) => h !== hook);
    };
  }

  /** The type's own hooks in registration order, then those for every type. */
  async run(event: HookEvent, tx: Tx, approval: Approval): Promise<void> {
    const list = this.hooks[event];
    for (const hook of list) if (hook.type === approval.type) await hook.run(tx, approval);
    for (const hook of list) if (hook.type === '*') await hook.run(tx, approval);
  }

  describe(): {
    types: { id: string; title: string }[];
    hooks: { event: HookEvent; type: string; name: string }[];
  } {
    return {
      types: this.list().map((t) => ({ id: t.id, title: t.title })),
      hooks: (['submitted', 'decided'] as const).flatMap((event) =>
        this.hooks[event].map((h) => ({ event, type: h.type, name: h.name })),
      ),
    };
  }
}
