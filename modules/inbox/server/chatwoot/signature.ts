import { createHmac, timingSafeEqual } from 'node:crypto';

/** `sha256=` + hex HMAC-SHA256 of `<timestamp>.<raw body>` with the webhook's secret. */
export function chatwootSignature(secret: string, timestamp: string, rawBody: Buffer | string) {
  const mac = createHmac('sha256', secret);
  mac.update(`${timestamp}.`);
  mac.update(rawBody);
  return `sha256=${mac.digest('hex')}`;
}

export type SignatureCheck =
  { ok: true; signedAt: Date } | { ok: false; code: SignatureFailure; message: string };

export type SignatureFailure =
  | 'WEBHOOK_SIGNATURE_MISSING'
  | 'WEBHOOK_SIGNATURE_INVALID'
  | 'WEBHOOK_TIMESTAMP_INVALID'
  | 'WEBHOOK_TIMESTAMP_STALE';

/**
 * Checks X-Chatwoot-Signature over the raw bytes, in constant time, and X-Chatwoot-Timestamp
 * within ±toleranceS of `now` (replay protection: Chatwoot itself has none).
 */
export function verifyChatwootSignature(input: {
  secret: string;
  rawBody: Buffer | string;
  signature: string | undefined;
  timestamp: string | undefined;
  now: Date;
  toleranceS: number;
}): SignatureCheck {
  if (!input.signature || !input.timestamp) {
    return {
      ok: false,
      code: 'WEBHOOK_SIGNATURE_MISSING',
      message: 'X-Chatwoot-Signature and X-Chatwoot-Timestamp are required',
    };
  }
  if (!/^\d{1,12}$/.test(input.timestamp)) {
    return {
      ok: false,
      code: 'WEBHOOK_TIMESTAMP_INVALID',
      message: 'X-Chatwoot-Timestamp must be unix seconds',
    };
  }
  const signedAt = new Date(Number(input.timestamp) * 1000);
  const expected = Buffer.from(chatwootSignature(input.secret, input.timestamp, input.rawBody));
  const given = Buffer.from(input.signature);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return {
      ok: false,
      code: 'WEBHOOK_SIGNATURE_INVALID',
      message: 'The signature does not match the body',
    };
  }
  if (Math.abs(input.now.getTime() - signedAt.getTime()) > input.toleranceS * 1000) {
    return {
      ok: false,
      code: 'WEBHOOK_TIMESTAMP_STALE',
      message: `The delivery was signed more than ${input.toleranceS} s from now`,
    };
  }
  return { ok: true, signedAt };
}
