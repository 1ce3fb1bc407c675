/**
 * Chatwoot on the wire, for tests: the contract's fixtures, and deliveries signed the way
 * Chatwoot signs them (lib/webhooks/trigger.rb). Written independently of the orchestrator's
 * verifier, and checked against the contract's test vector, so the two can't agree on a mistake.
 */
import { createHmac, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const CHATWOOT_FIXTURES = fileURLToPath(new URL('../fixtures/chatwoot/', import.meta.url));

/** A fixture file parsed, e.g. chatwootFixture('webhooks/message_created.json'). */
export function chatwootFixture<T = Record<string, unknown>>(name: string): T {
  return JSON.parse(readFileSync(`${CHATWOOT_FIXTURES}${name}`, 'utf8')) as T;
}

/** Rails' to_json escaping of <, > and & (the raw bytes Chatwoot sends). */
export function railsJson(value: unknown): string {
  return JSON.stringify(value)
    .replaceAll('<', '\\u003c')
    .replaceAll('>', '\\u003e')
    .replaceAll('&', '\\u0026');
}

export interface SignedDelivery {
  headers: Record<string, string>;
  body: string;
  deliveryId: string;
}

/** Headers and body of one delivery, as an account webhook with a secret sends it. */
export function signChatwootDelivery(options: {
  secret: string | null;
  payload: unknown;
  deliveryId?: string;
  timestamp?: number;
}): SignedDelivery {
  const body = typeof options.payload === 'string' ? options.payload : railsJson(options.payload);
  const deliveryId = options.deliveryId ?? randomUUID();
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    accept: 'application/json',
    'x-chatwoot-delivery': deliveryId,
  };
  if (options.secret) {
    const timestamp = String(options.timestamp ?? Math.floor(Date.now() / 1000));
    const hex = createHmac('sha256', options.secret).update(`${timestamp}.${body}`).digest('hex');
    headers['x-chatwoot-timestamp'] = timestamp;
    headers['x-chatwoot-signature'] = `sha256=${hex}`;
  }
  return { headers, body, deliveryId };
}
