/**
 * Loading what a page shows, with the failure kept as data so the page can say what went wrong
 * (an empty, missing or unreachable state) instead of one generic error page.
 */
import type { ActionResult, LoadFailure, Loaded } from '@afenda/ui';

import { OrchestratorApiError, OrchestratorUnavailableError } from './api/client';

export type { ActionResult, LoadFailure, Loaded };

export function describeFailure(err: unknown): LoadFailure {
  if (err instanceof OrchestratorApiError) {
    const { status, code } = err;
    // The route itself is unknown: this orchestrator doesn't have the feature (yet).
    if (status === 404 && code === 'ROUTE_NOT_FOUND')
      return { kind: 'not-available', message: 'This server does not offer it yet.', status, code };
    if (status === 404) return { kind: 'not-found', message: err.message, status, code };
    if (status === 403) return { kind: 'forbidden', message: err.message, status, code };
    return { kind: 'error', message: err.message, status, code };
  }
  if (err instanceof OrchestratorUnavailableError)
    return { kind: 'unavailable', message: 'The workspace service could not be reached.' };
  return { kind: 'error', message: 'Something went wrong.' };
}

export async function load<T>(promise: Promise<T>): Promise<Loaded<T>> {
  try {
    return { ok: true, data: await promise };
  } catch (err) {
    const failure = describeFailure(err);
    // Worth the operator's attention; a 429 is the reader's own pace, said on the page.
    if (failure.kind === 'unavailable' || (failure.kind === 'error' && failure.status !== 429))
      console.error(err);
    return { ok: false, ...failure };
  }
}

/**
 * A decision that failed, saying whether it was recorded: the orchestrator's refusal means it was
 * not; no answer means it may have been (a retry with the same idempotency key is recorded once).
 */
export function decisionFailure(err: unknown): { ok: false; message: string } {
  if (err instanceof OrchestratorApiError)
    return { ok: false, message: `Not recorded: ${err.message}` };
  if (err instanceof OrchestratorUnavailableError)
    return {
      ok: false,
      message:
        'The workspace service did not answer: it may or may not be recorded. Retry is safe: it is recorded once.',
    };
  return { ok: false, message: 'Not recorded: something went wrong.' };
}

export function actionFailure(err: unknown): { ok: false; message: string } {
  const failure = describeFailure(err);
  return {
    ok: false,
    message:
      failure.kind === 'not-available'
        ? 'The workspace service does not offer this yet.'
        : failure.message,
  };
}
