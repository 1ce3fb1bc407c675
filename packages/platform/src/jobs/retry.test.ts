import { describe, expect, it } from 'vitest';

import { describeError } from './retry.ts';

describe('describeError', () => {
  it("keeps the database's error and its SQLSTATE, not the statement and its parameters", () => {
    const pgError = Object.assign(new Error('value too long for type character varying(200)'), {
      code: '22001',
    });
    const wrapped = new Error('Failed query: insert into "t" values ($1)\nparams: customer text', {
      cause: pgError,
    });
    expect(describeError(wrapped)).toBe('value too long for type character varying(200) (22001)');
  });

  it('says what any other error says', () => {
    expect(describeError(new Error('fetch failed'))).toBe('fetch failed');
    expect(describeError('plain')).toBe('plain');
    // A wrapper without a cause is all there is.
    expect(describeError(new Error('Failed query: select 1'))).toBe('Failed query: select 1');
  });
});
