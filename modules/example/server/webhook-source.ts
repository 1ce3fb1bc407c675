/**
 * The tool POSTs to /api/v1/webhooks/example (the kernel's route). accept() runs on the request:
 * authentic, and whose? (an AppError stores nothing); the kernel stores it once per delivery id.
 * process() runs later in a job, in the delivery's transaction with the tenant set: what it
 * writes commits with "processed", so a retry or a replay has no second effect.
 */
import { schema, type Database } from '@afenda/db';
import { recordActivity } from '@afenda/platform/activity/record-activity';
import { AppError } from '@afenda/platform/errors';
import { parseJsonBody, type WebhookSource } from '@afenda/platform/webhooks/deliveries';
import { eq } from 'drizzle-orm';
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { z } from 'zod';

export const SOURCE = 'example';
const TENANT_HEADER = 'x-example-tenant';

const alert = z.object({ title: z.string().min(1).max(200) });

const headerOf = (headers: IncomingHttpHeaders, name: string) => [headers[name]].flat()[0] ?? '';

/** Hashing first gives equal lengths, so the comparison time says nothing about the token. */
function tokenMatches(given: string, expected: string): boolean {
  const hash = (v: string) => createHash('sha256').update(v).digest();
  return timingSafeEqual(hash(given), hash(expected));
}

/** The tenant header must name a tenant that exists (deliveries reference it). */
async function tenantExists(database: Database, id: string): Promise<boolean> {
  if (!z.uuid().safeParse(id).success) return false;
  // Acting in that tenant makes its own row visible, and only if it exists.
  const rows = await database.withTenant(id, (tx) =>
    tx.select({ id: schema.tenants.id }).from(schema.tenants).where(eq(schema.tenants.id, id)),
  );
  return rows.length === 1;
}

export function exampleSource(options: { database: Database; token?: string }): WebhookSource {
  return {
    name: SOURCE,

    async accept({ headers, rawBody }) {
      if (!options.token)
        throw new AppError('WEBHOOK_NOT_CONFIGURED', 404, 'Set EXAMPLE_WEBHOOK_TOKEN first');
      // One token for the deployment. A tool with a secret per organisation reads it from the
      // tenant's module settings instead (readModuleSecrets; modules/inbox does).
      if (!tokenMatches(headerOf(headers, 'x-example-token'), options.token))
        throw new AppError('WEBHOOK_SIGNATURE_INVALID', 401, 'X-Example-Token does not match');
      const deliveryId = headerOf(headers, 'x-example-delivery');
      if (!/^[\w.:-]{1,128}$/.test(deliveryId))
        throw new AppError('WEBHOOK_DELIVERY_ID_MISSING', 400, 'X-Example-Delivery is required');
      const tenantId = headerOf(headers, TENANT_HEADER);
      if (!(await tenantExists(options.database, tenantId)))
        throw new AppError('WEBHOOK_TENANT_UNKNOWN', 422, `${TENANT_HEADER} names no tenant`);
      if (!alert.safeParse(parseJsonBody(rawBody)).success)
        throw new AppError('WEBHOOK_PAYLOAD_INVALID', 400, 'The body must be { "title": "..." }');
      return {
        deliveryId,
        eventType: 'alert',
        tenantId,
        accountRef: null,
        verified: true,
        signature: null,
        signedAt: null,
        status: 'received',
      };
    },

    async process(tx, row) {
      const { title } = alert.parse(JSON.parse(row.body));
      await recordActivity(tx, {
        tenantId: row.tenantId as string,
        actorId: null,
        source: SOURCE,
        subjectType: 'example_alert',
        subjectId: row.id,
        verb: 'received',
        title,
        data: { deliveryId: row.deliveryId },
      });
      return { status: 'processed' };
    },
  };
}
