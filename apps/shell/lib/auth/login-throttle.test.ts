import { describe, expect, it } from 'vitest';

import { clientAddress, LoginThrottle, tooManySignIns } from './login-throttle';

describe('LoginThrottle', () => {
  it('allows the budget per address per window, then refuses until the window ends', () => {
    let now = 1_000_000;
    const throttle = new LoginThrottle({ limit: 3, windowMs: 60_000 }, () => now);
    for (let i = 0; i < 3; i++) expect(throttle.take('10.0.0.1').ok).toBe(true);
    now += 15_000;
    expect(throttle.take('10.0.0.1')).toEqual({ ok: false, retryAfterS: 45 });
    // Another address has its own budget.
    expect(throttle.take('10.0.0.2').ok).toBe(true);
    now += 45_000;
    expect(throttle.take('10.0.0.1').ok).toBe(true);
  });
});

describe('clientAddress', () => {
  it('takes the address the nearest hop wrote', () => {
    expect(clientAddress(new Headers({ 'x-forwarded-for': '6.6.6.6, 203.0.113.7' }))).toBe(
      '203.0.113.7',
    );
    expect(clientAddress(new Headers({ 'x-real-ip': '198.51.100.2' }))).toBe('198.51.100.2');
    expect(clientAddress(new Headers())).toBe('unknown');
  });
});

describe('tooManySignIns', () => {
  it('answers 429 with Retry-After and a readable page', async () => {
    const response = tooManySignIns(42);
    expect(response.status).toBe(429);
    expect(response.headers.get('retry-after')).toBe('42');
    expect(response.headers.get('content-type')).toMatch(/text\/html/);
    expect(await response.text()).toMatch(/Too many sign-in attempts[\s\S]*Wait 42 seconds/);
  });
});
