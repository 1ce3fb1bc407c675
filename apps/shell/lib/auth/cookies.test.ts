import { describe, expect, it } from 'vitest';

import { decodeLoginState, encodeLoginState } from './cookies';
import { isSameOriginRequest } from './same-origin';

const login = {
  codeVerifier: 'v'.repeat(43),
  state: 'state-1',
  nonce: 'nonce-1',
  returnTo: '/app/somewhere?x=1',
};

describe('the login cookie', () => {
  it('round-trips within 10 minutes', () => {
    const now = Date.now();
    expect(decodeLoginState(encodeLoginState(login, now), now + 599_000)).toEqual(login);
  });

  it('is refused when old, malformed or absent', () => {
    const now = Date.now();
    expect(decodeLoginState(encodeLoginState(login, now), now + 601_000)).toBeUndefined();
    expect(decodeLoginState('not-base64-json')).toBeUndefined();
    expect(decodeLoginState(undefined)).toBeUndefined();
    expect(
      decodeLoginState(Buffer.from(JSON.stringify({ s: 'x' })).toString('base64url')),
    ).toBeUndefined();
  });

  it('sanitises returnTo again when read', () => {
    const now = Date.now();
    const tampered = encodeLoginState({ ...login, returnTo: '//evil.example/' }, now);
    expect(decodeLoginState(tampered, now)?.returnTo).toBe('/app');
  });
});

describe('isSameOriginRequest', () => {
  const publicUrl = 'http://localhost:3000';
  const headers = (h: Record<string, string>) => new Headers(h);

  it('accepts our own origin, or the origin of the host asked', () => {
    expect(isSameOriginRequest(headers({ origin: 'http://localhost:3000' }), publicUrl)).toBe(true);
    expect(
      isSameOriginRequest(
        headers({ origin: 'http://127.0.0.1:3000', host: '127.0.0.1:3000' }),
        publicUrl,
      ),
    ).toBe(true);
    expect(isSameOriginRequest(headers({ 'sec-fetch-site': 'same-origin' }), publicUrl)).toBe(true);
  });

  it('refuses other sites and requests that prove nothing', () => {
    expect(
      isSameOriginRequest(
        headers({ origin: 'http://evil.example', host: 'localhost:3000' }),
        publicUrl,
      ),
    ).toBe(false);
    expect(
      isSameOriginRequest(headers({ origin: 'null', host: 'localhost:3000' }), publicUrl),
    ).toBe(false);
    expect(isSameOriginRequest(headers({ 'sec-fetch-site': 'cross-site' }), publicUrl)).toBe(false);
    expect(isSameOriginRequest(headers({}), publicUrl)).toBe(false);
  });
});
