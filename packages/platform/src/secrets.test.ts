import { describe, expect, it } from 'vitest';
import { SecretBox } from './secrets.ts';

describe('SecretBox', () => {
  const box = new SecretBox(SecretBox.generateKey());

  it('round-trips, with a fresh IV each time', () => {
    const a = box.seal('chatwoot-token', 't1/inbox/api_token');
    const b = box.seal('chatwoot-token', 't1/inbox/api_token');
    expect(a.equals(b)).toBe(false);
    expect(a.toString('latin1')).not.toContain('chatwoot-token');
    expect(box.open(a, 't1/inbox/api_token')).toBe('chatwoot-token');
  });

  it('refuses a ciphertext moved to another tenant or field, tampered with, or sealed with another key', () => {
    const sealed = box.seal('secret', 't1/inbox/api_token');
    expect(() => box.open(sealed, 't2/inbox/api_token')).toThrow();
    expect(() => box.open(sealed, 't1/inbox/webhook_secret')).toThrow();
    const tampered = Buffer.from(sealed);
    tampered[tampered.length - 1] = (tampered[tampered.length - 1] ?? 0) ^ 1;
    expect(() => box.open(tampered, 't1/inbox/api_token')).toThrow();
    expect(() =>
      new SecretBox(SecretBox.generateKey()).open(sealed, 't1/inbox/api_token'),
    ).toThrow();
  });

  it('rejects a key of the wrong size', () => {
    expect(() => new SecretBox(Buffer.alloc(16).toString('base64'))).toThrow(/32 bytes/);
  });
});
