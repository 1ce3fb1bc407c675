/**
 * Webhook deliveries: stored before anything else (one insert, deduplicated by the sender's
 * delivery id), processed off the request path by the job queue, retried with backoff and
 * jitter, dead-lettered after JOB_MAX_ATTEMPTS, replayable. Processing runs in one transaction
 * with the delivery row locked, and marks it processed in that same transaction: a second run,
 * a replay, or a crash-and-retry finds it done and has no second effect.
 */
import type { DeliveryView } from '@afenda/contracts';
import type { Database, Tx } from '@afenda/db';
import { schema } from '@afenda/db';
import { findUnstorableText } from '@afenda/contracts';
import { and, desc, eq, lt, or, sql, type SQL } from 'drizzle-orm';
import type { IncomingHttpHeaders } from 'node:http';
import { AppError } from '../errors.ts';
import type { JobQueue } from '../jobs/queue.ts';
import { recordFailure, replayTable, sweepTable, type RetryPolicy } from '../jobs/retry.ts';
import { deliveryWriter } from './group-commit.ts';

const D = schema.webhookDeliveries;
export type DeliveryRow = typeof D.$inferSelect;
export type DeliveryStatus = DeliveryRow['status'];

export const PROCESS_TASK = 'webhook.process';
const DONE: DeliveryStatus[] = ['processed', 'ignored', 'dead'];

/** What a source says of an authentic delivery, to be stored. */
export interface Accepted {
  deliveryId: string;
  eventType: string;
  tenantId: string | null;
  accountRef: string | null;
  verified: boolean;
  signature: string | null;
  signedAt: Date | null;
  /** received (to process), ignored (kept, nothing to do), unmapped (no organisation yet). */
  status: 'received' | 'ignored' | 'unmapped';
  reason?: string;
  /**
   * The source's identity of the signed payload (Chatwoot: a hash of its signed timestamp and
   * body), when it has one: the same signed payload under another delivery id is a replay.
   */
  replayKey?: string | null;
  /** Stored, but the sender is told the payload was unusable (422 with this error). */
  refusal?: { code: string; message: string; details?: Record<string, unknown> };
}

export interface Outcome {
  status: 'processed' | 'ignored';
  reason?: string;
}

/** A webhook body as JSON, or 400 MALFORMED_JSON (nothing is stored). */
export function parseJsonBody(rawBody: Buffer): unknown {
  try {
    return JSON.parse(rawBody.toString('utf8'));
  } catch (err) {
    throw new AppError('MALFORMED_JSON', 400, 'The body is not valid JSON', {
      reason: (err as Error).message.slice(0, 200),
    });
  }
}

export interface WebhookSource {
  name: string;
  /** Authenticity and shape; throws AppError (4xx) for what must not be stored. */
  accept(input: { headers: IncomingHttpHeaders; rawBody: Buffer; now: Date }): Promise<Accepted>;
  /** For a delivery stored unmapped: its organisation now, if it has one (and it verifies). */
  resolve?(row: DeliveryRow): Promise<{ tenantId: string; verified: boolean } | { reason: string }>;
  /** The effects, inside the delivery's transaction (tenant set, row locked). */
  process(tx: Tx, row: DeliveryRow): Promise<Outcome>;
}

/**
 * Deliveries no organisation has claimed are stored for a later replay, but anyone can send
 * them: past these many (with their bodies) per account, or in total, per source, only the
 * headers of a new one are kept.
 */
export interface UnmappedLimits {
  perAccount: number;
  total: number;
}

export interface DeliveryDeps {
  database: Database;
  queue: JobQueue;
  sources: Map<string, WebhookSource>;
  retry: RetryPolicy;
  unmapped: UnmappedLimits;
}

/** Whether one more unmapped delivery of this account may keep its body; if not, why. */
async function unmappedOverLimit(
  deps: Pick<DeliveryDeps, 'database' | 'unmapped'>,
  source: string,
  accountRef: string | null,
): Promise<string | undefined> {
  const { perAccount, total } = deps.unmapped;
  const kept = and(eq(D.source, source), eq(D.status, 'unmapped'), eq(D.bodyKept, true));
  const count = (where: SQL | undefined, limit: number) =>
    deps.database.transaction({ service: 'jobs' }, async (tx) => {
      const rows = await tx
        .select({ one: sql`1` })
        .from(D)
        .where(where)
        .limit(limit);
      return rows.length;
    });
  if (
    accountRef !== null &&
    (await count(and(kept, eq(D.accountRef, accountRef)), perAccount)) >= perAccount
  )
    return `over the limit of ${perAccount} unmapped deliveries for account ${accountRef}`;
  if ((await count(kept, total)) >= total)
    return `over the limit of ${total} unmapped deliveries in total`;
  return undefined;
}

/**
 * Stores one delivery (in one transaction with the concurrent ones: group-commit.ts); a repeated
 * delivery id changes nothing and says so.
 */
export async function storeDelivery(
  deps: Pick<DeliveryDeps, 'database' | 'queue' | 'unmapped'>,
  source: string,
  rawBody: Buffer,
  accepted: Accepted,
): Promise<{ id: string; duplicate: boolean; status: DeliveryStatus }> {
  const named = [accepted.deliveryId, accepted.eventType, accepted.accountRef, accepted.reason];
  for (const value of [...named, accepted.signature])
    if (value !== null && findUnstorableText(value))
      throw new AppError(
        'WEBHOOK_PAYLOAD_INVALID',
        400,
        'The delivery names text that cannot be stored',
      );
  let body = rawBody.toString('utf8');
  let reason = accepted.reason ?? null;
  const overLimit =
    accepted.status === 'unmapped'
      ? await unmappedOverLimit(deps, source, accepted.accountRef)
      : undefined;
  if (overLimit) {
    body = '';
    reason = `${reason ? `${reason}; ` : ''}${overLimit}: only the headers were kept, not the body`;
  }
  // Shared with concurrent deliveries (group commit); settled once committed.
  const written = await deliveryWriter(deps.database).write({
    source,
    deliveryId: accepted.deliveryId,
    tenantId: accepted.tenantId,
    accountRef: accepted.accountRef,
    eventType: accepted.eventType,
    signature: accepted.signature,
    signedAt: accepted.signedAt,
    verified: accepted.verified,
    body,
    bodyKept: !overLimit,
    replayKey: accepted.replayKey ?? null,
    status: accepted.status,
    reason,
  });
  if (!('conflict' in written)) {
    if (!written.duplicate && written.status === 'received')
      deps.queue.addSoon({ task: PROCESS_TASK, payload: { id: written.id } });
    return written;
  }
  // The delivery id again, or the same signed payload under a new one (a replay).
  const same = accepted.replayKey
    ? or(eq(D.deliveryId, accepted.deliveryId), eq(D.replayKey, accepted.replayKey))
    : eq(D.deliveryId, accepted.deliveryId);
  const [existing] = await deps.database.transaction({ service: 'jobs' }, (tx) =>
    tx
      .select({ id: D.id, status: D.status })
      .from(D)
      .where(and(eq(D.source, source), same))
      .limit(1),
  );
  if (!existing) throw new Error('a conflicting delivery vanished');
  return { id: existing.id, duplicate: true, status: existing.status };
}

/** The job: process one stored delivery, exactly once in effect. */
export async function processDelivery(deps: DeliveryDeps, id: string): Promise<void> {
  const { database } = deps;
  const [head] = await database.transaction({ service: 'jobs' }, (tx) =>
    tx.select().from(D).where(eq(D.id, id)),
  );
  if (!head || DONE.includes(head.status)) return;
  const source = deps.sources.get(head.source);
  let tenantId = head.tenantId;
  let verified = head.verified;
  try {
    if (!source) throw new Error(`no source "${head.source}" in this build`);
    if (!tenantId) {
      const resolved = source.resolve ? await source.resolve(head) : { reason: 'no organisation' };
      if ('reason' in resolved) {
        await database.transaction({ service: 'jobs' }, (tx) =>
          tx
            .update(D)
            .set({ status: 'unmapped', reason: resolved.reason, updatedAt: new Date() })
            .where(eq(D.id, id)),
        );
        return;
      }
      tenantId = resolved.tenantId;
      verified = resolved.verified;
    }
    await database.transaction({ service: 'jobs', tenantId }, async (tx) => {
      const [row] = await tx.select().from(D).where(eq(D.id, id)).for('update');
      if (!row || DONE.includes(row.status)) return;
      const outcome = await source.process(tx, { ...row, tenantId });
      await tx
        .update(D)
        .set({
          tenantId,
          verified,
          status: outcome.status,
          reason: outcome.reason ?? null,
          attempts: row.attempts + 1,
          lastError: null,
          processedAt: new Date(),
          updatedAt: new Date(),
        })
        .where(eq(D.id, id));
    });
  } catch (err) {
    await recordFailure(deps, 'webhook_deliveries', id, err, {
      task: PROCESS_TASK,
      payload: { id },
    });
  }
}

/** Queues again deliveries due long ago and still unfinished (see sweepTable). */
export function sweepDeliveries(
  deps: Pick<DeliveryDeps, 'database' | 'queue'>,
  recoveryAfterS: number,
): Promise<number> {
  return sweepTable(deps, 'webhook_deliveries', ['received', 'failed'], recoveryAfterS, (r) => ({
    task: PROCESS_TASK,
    payload: { id: r.id },
  }));
}

export function deliveryView(row: DeliveryRow): DeliveryView {
  return {
    id: row.id,
    source: row.source,
    deliveryId: row.deliveryId,
    tenantId: row.tenantId,
    accountRef: row.accountRef,
    eventType: row.eventType,
    verified: row.verified,
    status: row.status,
    reason: row.reason,
    attempts: row.attempts,
    lastError: row.lastError,
    nextAttemptAt: row.status === 'failed' ? row.nextAttemptAt.toISOString() : null,
    receivedAt: row.receivedAt.toISOString(),
    processedAt: row.processedAt?.toISOString() ?? null,
  };
}

/**
 * Deliveries, newest first. With tenantId: that organisation's (its own context, so row-level
 * security decides); without: every one, unmapped included (operators, in the jobs context).
 */
export async function listDeliveries(
  database: Database,
  filter: {
    tenantId?: string;
    status?: DeliveryStatus;
    source?: string;
    limit: number;
    before?: Date;
  },
): Promise<DeliveryRow[]> {
  const where = and(
    filter.tenantId ? eq(D.tenantId, filter.tenantId) : undefined,
    filter.status ? eq(D.status, filter.status) : undefined,
    filter.source ? eq(D.source, filter.source) : undefined,
    filter.before ? lt(D.receivedAt, filter.before) : undefined,
  );
  const ctx = filter.tenantId ? { tenantId: filter.tenantId } : { service: 'jobs' as const };
  return database.transaction(ctx, (tx) =>
    tx.select().from(D).where(where).orderBy(desc(D.receivedAt), desc(D.id)).limit(filter.limit),
  );
}

export async function getDelivery(
  database: Database,
  id: string,
  tenantId?: string,
): Promise<DeliveryRow | null> {
  const ctx = tenantId ? { tenantId } : { service: 'jobs' as const };
  const [row] = await database.transaction(ctx, (tx) =>
    tx
      .select()
      .from(D)
      .where(and(eq(D.id, id), tenantId ? eq(D.tenantId, tenantId) : undefined)),
  );
  return row ?? null;
}

/**
 * Replays dead, failed or unmapped deliveries (given ids, or all of them): back to received,
 * attempts reset, queued now. Processed and ignored ones are left as they are (a replay has no
 * second effect); the answer says which were queued.
 */
export function replayDeliveries(
  deps: Pick<DeliveryDeps, 'database' | 'queue'>,
  options: { ids?: string[]; tenantId?: string },
): Promise<string[]> {
  return replayTable(
    deps,
    'webhook_deliveries',
    { from: ['dead', 'failed', 'unmapped'], to: 'received', ...options },
    (r) => ({ task: PROCESS_TASK, payload: { id: r.id } }),
  );
}
