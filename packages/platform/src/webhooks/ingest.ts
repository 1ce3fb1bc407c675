/**
 * The way in for every webhook source: verified over the raw bytes, stored before anything
 * else (one insert), answered at once; processing happens in the job queue. Used by the
 * kernel's POST /webhooks/:source and by modules whose tool calls another path (Synapse).
 */
import type { FastifyInstance } from 'fastify';
import type { IncomingHttpHeaders } from 'node:http';
import { AppError } from '../errors.ts';
import { storeDelivery, type Accepted, type DeliveryDeps } from './deliveries.ts';

/** In this scope, JSON bodies stay the exact bytes (signatures are over them). */
export function keepRawJsonBodies(app: FastifyInstance, bodyLimit: number): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(
    ['application/json', 'application/json; charset=utf-8'],
    { parseAs: 'buffer', bodyLimit },
    (_request, body, done) => done(null, body),
  );
}

export async function ingestDelivery(
  deps: DeliveryDeps,
  source: string,
  headers: IncomingHttpHeaders,
  body: unknown,
): Promise<{ result: Accepted; stored: Awaited<ReturnType<typeof storeDelivery>> }> {
  const handler = deps.sources.get(source);
  if (!handler) {
    throw new AppError('WEBHOOK_SOURCE_UNKNOWN', 404, `There is no webhook source "${source}"`, {
      sources: [...deps.sources.keys(), 'keycloak'],
    });
  }
  if (!Buffer.isBuffer(body) || body.length === 0) {
    throw new AppError('BODY_REQUIRED', 400, 'The delivery has no body');
  }
  // The body is stored as text, which cannot hold a NUL byte (JSON has none outside strings,
  // where it is escaped): such bytes are no delivery, and nothing is stored.
  if (body.includes(0)) {
    throw new AppError('MALFORMED_JSON', 400, 'The body is not valid JSON', {
      reason: 'a NUL byte',
    });
  }
  const result = await handler.accept({ headers, rawBody: body, now: new Date() });
  const stored = await storeDelivery(deps, source, body, result);
  return { result, stored };
}
