import { chatwootFixture, signChatwootDelivery } from '@afenda/test-utils';
import { describe, expect, it } from 'vitest';
import { chatwootSignature, verifyChatwootSignature } from './signature.ts';

interface Vector {
  secret: string;
  headers: Record<string, string>;
  raw_body: string;
  expected_signature: string;
}
const vector = chatwootFixture<Vector>('webhooks/signature-test-vector.json');
const at = (ts: string) => new Date(Number(ts) * 1000);

describe('Chatwoot signatures', () => {
  it('match the contract test vector, over the raw bytes', () => {
    const ts = vector.headers['X-Chatwoot-Timestamp']!;
    expect(chatwootSignature(vector.secret, ts, vector.raw_body)).toBe(vector.expected_signature);
    expect(chatwootSignature(vector.secret, ts, Buffer.from(vector.raw_body))).toBe(
      vector.expected_signature,
    );
  });

  it('the test helper signs exactly like Chatwoot (the vector again)', () => {
    const ts = vector.headers['X-Chatwoot-Timestamp']!;
    const signed = signChatwootDelivery({
      secret: vector.secret,
      payload: vector.raw_body,
      timestamp: Number(ts),
    });
    expect(signed.headers['x-chatwoot-signature']).toBe(vector.expected_signature);
    // and re-serialising the parsed body the Rails way gives back the same bytes
    const reserialised = signChatwootDelivery({
      secret: vector.secret,
      payload: JSON.parse(vector.raw_body),
      timestamp: Number(ts),
    });
    expect(reserialised.body).toBe(vector.raw_body);
  });

  const base = {
    secret: vector.secret,
    rawBody: vector.raw_body,
    signature: vector.expected_signature,
    timestamp: vector.headers['X-Chatwoot-Timestamp'],
    now: at(vector.headers['X-Chatwoot-Timestamp']!),
    toleranceS: 300,
  };

  it('accepts the vector within the window, on both sides of it', () => {
    expect(verifyChatwootSignature(base).ok).toBe(true);
    const plus = new Date(base.now.getTime() + 299_000);
    const minus = new Date(base.now.getTime() - 299_000);
    expect(verifyChatwootSignature({ ...base, now: plus }).ok).toBe(true);
    expect(verifyChatwootSignature({ ...base, now: minus }).ok).toBe(true);
  });

  it.each([
    ['a missing signature', { signature: undefined }, 'WEBHOOK_SIGNATURE_MISSING'],
    ['a missing timestamp', { timestamp: undefined }, 'WEBHOOK_SIGNATURE_MISSING'],
    ['a timestamp that is not a number', { timestamp: '12a' }, 'WEBHOOK_TIMESTAMP_INVALID'],
    ['another secret', { secret: 'other' }, 'WEBHOOK_SIGNATURE_INVALID'],
    [
      'one changed byte',
      { rawBody: vector.raw_body.replace('901', '902') },
      'WEBHOOK_SIGNATURE_INVALID',
    ],
    [
      'the parsed-and-reserialised body',
      { rawBody: JSON.stringify(JSON.parse(vector.raw_body)) },
      'WEBHOOK_SIGNATURE_INVALID',
    ],
    [
      'a truncated signature',
      { signature: vector.expected_signature.slice(0, 20) },
      'WEBHOOK_SIGNATURE_INVALID',
    ],
    [
      'a signature from 301 s ago',
      { now: new Date(at(vector.headers['X-Chatwoot-Timestamp']!).getTime() + 301_000) },
      'WEBHOOK_TIMESTAMP_STALE',
    ],
    [
      'a signature from 301 s ahead',
      { now: new Date(at(vector.headers['X-Chatwoot-Timestamp']!).getTime() - 301_000) },
      'WEBHOOK_TIMESTAMP_STALE',
    ],
  ] as const)('refuses %s', (_name, change, code) => {
    const result = verifyChatwootSignature({ ...base, ...change });
    expect(result).toMatchObject({ ok: false, code });
  });
});
