import { describe, expect, it } from 'vitest';

import { actionFailure, decisionFailure, describeFailure, load } from './load';
import { OrchestratorApiError, OrchestratorUnavailableError } from './api/client';

describe('describeFailure', () => {
  it('tells a missing feature, a missing thing, a refusal and an outage apart', () => {
    expect(describeFailure(new OrchestratorApiError(404, 'ROUTE_NOT_FOUND', 'No route')).kind).toBe(
      'not-available',
    );
    expect(describeFailure(new OrchestratorApiError(404, 'APPROVAL_NOT_FOUND', 'Gone'))).toEqual({
      kind: 'not-found',
      message: 'Gone',
      status: 404,
      code: 'APPROVAL_NOT_FOUND',
    });
    expect(describeFailure(new OrchestratorApiError(403, 'FORBIDDEN', 'No')).kind).toBe(
      'forbidden',
    );
    expect(describeFailure(new OrchestratorUnavailableError('down', 'http://x')).kind).toBe(
      'unavailable',
    );
    expect(describeFailure(new Error('boom'))).toEqual({
      kind: 'error',
      message: 'Something went wrong.',
    });
  });

  it('keeps the API message for actions and never leaks an internal one', () => {
    expect(
      actionFailure(new OrchestratorApiError(409, 'APPROVAL_DECIDED', 'Already approved')),
    ).toEqual({
      ok: false,
      message: 'Already approved',
    });
    expect(actionFailure(new TypeError('x is undefined')).message).toBe('Something went wrong.');
  });

  it('load() wraps a result or a failure', async () => {
    expect(await load(Promise.resolve(1))).toEqual({ ok: true, data: 1 });
    expect(
      await load(Promise.reject(new OrchestratorApiError(404, 'X_NOT_FOUND', 'Not here'))),
    ).toEqual({
      ok: false,
      kind: 'not-found',
      message: 'Not here',
      status: 404,
      code: 'X_NOT_FOUND',
    });
  });
});

describe('decisionFailure', () => {
  it('says whether a decision was recorded: a refusal was not, no answer may have been', () => {
    expect(
      decisionFailure(
        new OrchestratorApiError(409, 'APPROVAL_ALREADY_DECIDED', 'Already approved'),
      ),
    ).toEqual({ ok: false, message: 'Not recorded: Already approved' });
    expect(decisionFailure(new OrchestratorUnavailableError('down', 'http://x')).message).toMatch(
      /may or may not be recorded\. Retry is safe/,
    );
  });
});
