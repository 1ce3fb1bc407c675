/**
 * Matrix as a webhook source: Synapse pushes application-service transactions
 * (PUT <url>/_matrix/app/v1/transactions/{txnId}, Authorization: Bearer <hs_token>) and retries
 * the same txnId until it gets a 2xx. Verified (constant time) and deduplicated by txnId, stored
 * like every delivery. Acting on chat events (the timeline of team rooms) belongs to the Chat
 * module; until it does, transactions are kept and marked ignored with that reason.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { AppError } from '@afenda/platform/errors';
import { parseJsonBody, type WebhookSource } from '@afenda/platform/webhooks/deliveries';

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

export function matrixSource(options: { hsToken?: string }): WebhookSource {
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
      const types = [...new Set(parsed.data.events.map((e) => e.type))].sort();
      return {
        deliveryId: txnId,
        eventType: 'transaction',
        tenantId: null,
        accountRef: null,
        verified: true,
        signature: null,
        signedAt: null,
        status: 'ignored',
        reason:
          `Matrix transaction (${parsed.data.events.length} events: ${types.join(', ') || 'none'}) stored; chat events are acted on by the Chat module`.slice(
            0,
            1000,
          ),
      };
    },
    async process() {
      return { status: 'ignored', reason: 'chat events are acted on by the Chat module' };
    },
  };
}
