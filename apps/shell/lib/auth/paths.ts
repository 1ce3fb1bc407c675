/**
 * Paths and header names shared by the proxy, the route handlers and the pages. No imports: the
 * proxy loads this on every /app request.
 */

/** The session cookie's name (its options are in cookies.ts). */
export const SESSION_COOKIE = 'afenda_session';

/** The proxy tells the /app layout which page was asked for (layouts don't get the URL). */
export const RETURN_TO_HEADER = 'x-afenda-return-to';

/** The proxy passes the request's CSP nonce to the pages (the root layout's scripts). */
export const NONCE_HEADER = 'x-nonce';

export const LOGIN_PATH = '/auth/login';
export const LOGOUT_PATH = '/auth/logout';
export const AUTH_ERROR_PATH = '/auth/error';

/** `/auth/login?returnTo=<path>`; the path is sanitised again by the login route. */
export function loginPath(returnTo: string): string {
  return `${LOGIN_PATH}?${new URLSearchParams({ returnTo })}`;
}

export type AuthErrorReason = 'expired' | 'denied' | 'failed' | 'unavailable';

export function authErrorPath(reason: AuthErrorReason, returnTo?: string): string {
  const params = new URLSearchParams({ reason });
  if (returnTo) params.set('returnTo', returnTo);
  return `${AUTH_ERROR_PATH}?${params}`;
}
