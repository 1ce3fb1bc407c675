/**
 * What a page loaded and what an action did, kept as data so the page can say what went wrong
 * (an empty, missing or unreachable state) instead of one generic error page. The Shell makes
 * them (its lib/load.ts); the Shell's and the modules' parts show them.
 */

export type LoadFailure = {
  kind: 'not-available' | 'not-found' | 'forbidden' | 'unavailable' | 'error';
  message: string;
  /** The API's status and error code, when it answered (e.g. 410 ROOM_EXPIRED). */
  status?: number;
  code?: string;
};

export type Loaded<T> = { ok: true; data: T } | ({ ok: false } & LoadFailure);

/** What a server action answers: a result the client shows, never a thrown error. */
export type ActionResult<T = void> =
  { ok: true; data: T } | { ok: false; message: string; signedOut?: boolean; code?: string };
