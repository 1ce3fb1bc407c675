/**
 * Next.js proxy (formerly middleware) for /app: a request without the session cookie goes
 * straight to sign-in, to come back to the same page; with one, the page asked for is passed to
 * the /app layout (layouts don't get the URL) in case the cookie names no session any more.
 *
 * This only saves a round trip: every /app layout, page and server function still checks the
 * session on the server (lib/auth/session.ts).
 */
import { NextResponse, type NextRequest } from 'next/server';

import { loginPath, RETURN_TO_HEADER, SESSION_COOKIE } from './lib/auth/paths';

export function proxy(request: NextRequest): NextResponse {
  const url = request.nextUrl;
  const search = new URLSearchParams(url.search);
  search.delete('_rsc'); // the router's cache-busting parameter is not part of the page
  const query = search.toString();
  const asked = `${url.pathname}${query ? `?${query}` : ''}`;

  if (!request.cookies.get(SESSION_COOKIE)?.value) {
    return NextResponse.redirect(new URL(loginPath(asked), url), 307);
  }
  const headers = new Headers(request.headers);
  headers.set(RETURN_TO_HEADER, asked);
  return NextResponse.next({ request: { headers } });
}

export const config = {
  matcher: ['/app', '/app/:path*'],
};
