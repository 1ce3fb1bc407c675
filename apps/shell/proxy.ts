/**
 * Next.js proxy (formerly middleware), on every page and route but the build's static files:
 *
 * - The security headers (lib/security-headers.ts), with a fresh CSP nonce per request: set on
 *   the request too, where Next.js reads the nonce to put on its own scripts (and the root layout
 *   on next-themes' script).
 * - For /app: a request without the session cookie goes straight to sign-in, to come back to the
 *   same page; with one, the page asked for is passed to the /app layout (layouts don't get the
 *   URL) in case the cookie names no session any more. This only saves a round trip: every /app
 *   layout, page and server function still checks the session on the server (lib/auth/session.ts).
 */
import { NextResponse, type NextRequest } from 'next/server';

import { loginPath, NONCE_HEADER, RETURN_TO_HEADER, SESSION_COOKIE } from './lib/auth/paths';
import {
  cameOverTls,
  createNonce,
  readHeaderSettings,
  securityHeaders,
} from './lib/security-headers';

const isApp = (pathname: string) => pathname === '/app' || pathname.startsWith('/app/');

export function proxy(request: NextRequest): NextResponse {
  const url = request.nextUrl;
  const nonce = createNonce();
  const headers = securityHeaders({
    nonce,
    pathname: url.pathname,
    https: cameOverTls(url, request.headers.get('x-forwarded-proto')),
    settings: readHeaderSettings(),
  });
  const withHeaders = (response: NextResponse) => {
    for (const [name, value] of Object.entries(headers)) response.headers.set(name, value);
    return response;
  };

  const search = new URLSearchParams(url.search);
  search.delete('_rsc'); // the router's cache-busting parameter is not part of the page
  const query = search.toString();
  const asked = `${url.pathname}${query ? `?${query}` : ''}`;
  if (isApp(url.pathname) && !request.cookies.get(SESSION_COOKIE)?.value) {
    return withHeaders(NextResponse.redirect(new URL(loginPath(asked), url), 307));
  }

  const forwarded = new Headers(request.headers);
  forwarded.set(NONCE_HEADER, nonce);
  forwarded.set('content-security-policy', headers['content-security-policy']!);
  if (isApp(url.pathname)) forwarded.set(RETURN_TO_HEADER, asked);
  else forwarded.delete(RETURN_TO_HEADER);
  return withHeaders(NextResponse.next({ request: { headers: forwarded } }));
}

export const config = {
  // Not the build's hashed files (served with their own long-lived headers) nor the icon.
  matcher: ['/((?!_next/static|_next/image|favicon.ico).*)'],
};
