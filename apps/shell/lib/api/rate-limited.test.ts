import { describe, expect, it } from 'vitest';

import { OrchestratorApiError } from './client';
import { rateLimitedDigest, retryAfterFromDigest } from './rate-limited';

describe('a 429 on its way to the error page', () => {
  it('carries a digest that says how long to wait', () => {
    const err = new OrchestratorApiError(429, 'RATE_LIMITED', 'Too many read requests', {
      retryAfterSeconds: 13,
    });
    expect(err.digest).toBe('AFENDA_RATE_LIMITED;13');
    expect(retryAfterFromDigest(err.digest)).toBe(13);
  });

  it('waits a few seconds when the answer did not say, and never forever', () => {
    expect(retryAfterFromDigest(rateLimitedDigest(undefined))).toBe(5);
    expect(retryAfterFromDigest(rateLimitedDigest(0.2))).toBe(1);
    expect(retryAfterFromDigest(rateLimitedDigest(1e9))).toBe(3_600);
  });

  it('leaves every other error to its own digest', () => {
    expect(new OrchestratorApiError(403, 'FORBIDDEN', 'No').digest).toBeUndefined();
    expect(retryAfterFromDigest(undefined)).toBeNull();
    expect(retryAfterFromDigest('160049902')).toBeNull();
    expect(retryAfterFromDigest('AFENDA_RATE_LIMITED;x')).toBeNull();
  });
});
