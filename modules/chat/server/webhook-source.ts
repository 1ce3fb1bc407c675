/**
 * Matrix as a webhook source: Synapse pushes application-service transactions
 * (PUT <url>/_matrix/app/v1/transactions/{txnId}, Authorization: Bearer <hs_token>) and retries
 * the same txnId until it gets a 2xx. Verified (constant time) and deduplicated by txnId, stored
 * like every delivery, then processed (transactions.ts). A transaction with no event in a room
 * the product created is kept, marked ignored with that reason.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { AppError } from '@afenda/platform/errors';
import type { Tx } from '@afenda/db';
import {
  parseJsonBody,
  type Outcome,
  type WebhookSource,
} from '@afenda/platform/webhooks/deliveries';

const digest = (v: string) => createHash('sha256').update(v).digest();
const TXN_ID = /^[A-Za-z0-9._~-]{1,128}$/;

const transaction = z
  .object({
    events: z
      .array(z.object({ type: z.string().min(1), room_id: z.string().optional() }).loose())
      .default([]),
    ephemeral: z.array(z.object({ type: z.string() }).loose()).optional(),
  })
  .loose();

export interface MatrixSourceOptions {
  hsToken?: string;
  /** The organisation (tenant) of the first managed room among these, if any. */
  tenantOf(roomIds: string[]): Promise<string | null>;
  process(tx: Tx, body: unknown, tenantId: string): Promise<Outcome>;
}

export function matrixSource(options: MatrixSourceOptions): WebhookSource {
  return {
    name: 'matrix',
    async accept({ headers, rawBody }) {
      if (!options.hsToken) {
        throw new AppError(
          'WEBHOOK_NOT_CONFIGURED',
          404,
          'The Matrix source is not configured (set MATRIX_WEBHOOK_TOKEN)',
        );
      }
      const given = /^Bearer (.+)$/.exec(String(headers.authorization ?? ''))?.[1];
      if (!given)
        throw new AppError(
          'WEBHOOK_SIGNATURE_MISSING',
          401,
          'Authorization: Bearer <hs_token> is required',
        );
      if (!timingSafeEqual(digest(given), digest(options.hsToken))) {
        throw new AppError('WEBHOOK_SIGNATURE_INVALID', 401, 'The token does not match');
      }
      const txnId = String(headers['x-matrix-txn-id'] ?? '');
      if (!TXN_ID.test(txnId)) {
        throw new AppError('WEBHOOK_DELIVERY_ID_MISSING', 400, 'The transaction id is missing');
      }
      const parsed = transaction.safeParse(parseJsonBody(rawBody));
      if (!parsed.success) {
        throw new AppError(
          'WEBHOOK_PAYLOAD_INVALID',
          400,
          'Not an application-service transaction',
          {
            fields: parsed.error.issues.map((i) => ({
              field: i.path.join('.'),
              message: i.message,
            })),
          },
        );
      }
      const events = parsed.data.events;
      const roomIds = [
        ...new Set(events.map((e) => e.room_id).filter((r): r is string => typeof r === 'string')),
      ];
      const tenantId = roomIds.length ? await options.tenantOf(roomIds) : null;
      const types = [...new Set(events.map((e) => e.type))].sort();
      const summary = `Matrix transaction (${events.length} events: ${types.join(', ') || 'none'})`;
      return {
        deliveryId: txnId,
        eventType: 'transaction',
        tenantId,
        accountRef: null,
        verified: true,
        signature: null,
        signedAt: null,
        ...(tenantId
          ? { status: 'received' as const }
          : {
              status: 'ignored' as const,
              reason:
                `${summary}: no event in a room the product created, so nothing to act on`.slice(
                  0,
                  1000,
                ),
            }),
      };
    },
    process(tx, row) {
      return options.process(tx, JSON.parse(row.body) as unknown, row.tenantId as string);
    },
  };
}
