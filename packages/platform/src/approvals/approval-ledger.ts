import type { ApprovalEvent } from '@afenda/contracts';
import { schema, type Database } from '@afenda/db';
import { and, asc, eq } from 'drizzle-orm';
import { loadVisible } from './approvals.ts';
import type { Actor } from '../context.ts';

const E = schema.approvalEvents;
const U = schema.users;

/** One approval's ledger entries, oldest first, with each actor's name; 404 when not visible. */
export async function listApprovalEvents(
  database: Database,
  actor: Actor,
  approvalId: string,
): Promise<ApprovalEvent[]> {
  return database.withTenant(
    actor.tenantId,
    async (tx) => {
      await loadVisible(tx, actor, approvalId);
      const rows = await tx
        .select({
          id: E.id,
          seq: E.seq,
          approvalId: E.approvalId,
          eventType: E.eventType,
          fromStatus: E.fromStatus,
          toStatus: E.toStatus,
          actorId: E.actorId,
          actorName: U.displayName,
          data: E.data,
          occurredAt: E.occurredAt,
          hash: E.hash,
        })
        .from(E)
        .leftJoin(U, eq(U.id, E.actorId))
        .where(and(eq(E.tenantId, actor.tenantId), eq(E.approvalId, approvalId)))
        .orderBy(asc(E.seq));
      return rows.map((r) => ({
        ...r,
        occurredAt: r.occurredAt.toISOString(),
        hash: Buffer.from(r.hash).toString('hex'),
      }));
    },
    actor.userId,
  );
}
