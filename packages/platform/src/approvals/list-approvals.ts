import type { Approval } from '@afenda/contracts';
import type { Database } from '@afenda/db';
import { schema } from '@afenda/db';
import { and, desc, eq, getTableColumns, inArray, ne, or, type SQL } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import { beyond, cursorTime, decodeCursor, keysetPage } from '../cursor.ts';
import { A, loadVisible, toApproval } from './approvals.ts';
import type { Actor } from '../context.ts';
import type { ApprovalRegistry } from './registry.ts';

export interface ApprovalFilters {
  status?: Approval['status'];
  type?: string;
  source?: string;
  requested_by?: string;
  awaiting?: 'me';
  decided_by?: 'me';
  limit: number;
  cursor?: string;
}

const requester = alias(schema.users, 'requester');
const decider = alias(schema.users, 'decider');

export async function getApproval(database: Database, actor: Actor, id: string): Promise<Approval> {
  return database.withTenant(
    actor.tenantId,
    async (tx) => toApproval(await loadVisible(tx, actor, id)),
    actor.userId,
  );
}

/** Newest first, keyset-paginated; drafts only the caller's own. */
export async function listApprovals(
  types: ApprovalRegistry,
  database: Database,
  actor: Actor,
  f: ApprovalFilters,
): Promise<{ approvals: Approval[]; nextCursor: string | null }> {
  const cursor = decodeCursor(f.cursor);
  const decidable = types
    .list()
    .filter((t) => t.mayDecide(actor))
    .map((t) => t.id);
  const conditions: (SQL | undefined)[] = [
    eq(A.tenantId, actor.tenantId),
    or(ne(A.status, 'draft'), eq(A.requestedBy, actor.userId)),
    f.status ? eq(A.status, f.status) : undefined,
    f.type ? eq(A.type, f.type) : undefined,
    f.source ? eq(A.source, f.source) : undefined,
    f.requested_by
      ? eq(A.requestedBy, f.requested_by === 'me' ? actor.userId : f.requested_by)
      : undefined,
    f.decided_by ? eq(A.decidedBy, actor.userId) : undefined,
    cursor ? beyond(A.createdAt, A.id, cursor, 'before') : undefined,
  ];
  if (f.awaiting === 'me') {
    if (decidable.length === 0) return { approvals: [], nextCursor: null };
    conditions.push(
      eq(A.status, 'submitted'),
      ne(A.requestedBy, actor.userId),
      inArray(A.type, decidable),
    );
  }
  const rows = await database.withTenant(
    actor.tenantId,
    (tx) =>
      tx
        .select({
          ...getTableColumns(A),
          cursorAt: cursorTime(A.createdAt),
          requestedByName: requester.displayName,
          decidedByName: decider.displayName,
        })
        .from(A)
        .leftJoin(requester, eq(requester.id, A.requestedBy))
        .leftJoin(decider, eq(decider.id, A.decidedBy))
        .where(and(...conditions))
        .orderBy(desc(A.createdAt), desc(A.id))
        .limit(f.limit + 1),
    actor.userId,
  );
  const { page, nextCursor } = keysetPage(rows, f.limit);
  return {
    approvals: page.map((r) => ({
      ...toApproval(r),
      requestedByName: r.requestedByName,
      decidedByName: r.decidedByName,
    })),
    nextCursor,
  };
}
