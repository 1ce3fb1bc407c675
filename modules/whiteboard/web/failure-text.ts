import type { LoadFailure } from '@afenda/ui';

/** A failed call as the whiteboard pages say it: the API's own words, or that it is away. */
export function failureText(failure: LoadFailure): string {
  return failure.status !== undefined
    ? failure.message
    : 'The workspace service could not be reached. Try again.';
}
