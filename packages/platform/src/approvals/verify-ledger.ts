import type { Database } from '@afenda/db';
import { sql } from 'drizzle-orm';

export interface LedgerVerification {
  valid: boolean;
  checked: number;
  firstBroken: { seq: number; eventId: string; reason: string } | null;
}

/** Walks the tenant's chain in the database (the same hash function the insert trigger uses). */
export async function verifyLedger(
  database: Database,
  tenantId: string,
): Promise<LedgerVerification> {
  const result = await database.withTenant(tenantId, (tx) =>
    tx.execute<{
      checked: string;
      broken_seq: string | null;
      broken_id: string | null;
      reason: string | null;
    }>(sql`select * from afenda.verify_approval_chain(${tenantId}::uuid)`),
  );
  const row = result.rows[0];
  const broken = row?.broken_seq
    ? {
        seq: Number(row.broken_seq),
        eventId: row.broken_id as string,
        reason: row.reason as string,
      }
    : null;
  return { valid: broken === null, checked: Number(row?.checked ?? 0), firstBroken: broken };
}
