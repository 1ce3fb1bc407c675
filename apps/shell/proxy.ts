/**
 * Next.js proxy (formerly middleware) for /app (and the framing rule of /chatwoot): a request without the session cookie goes
 * straight to sign-in, to come back to the same page; with one, the page asked for is passed to
 * the /app layout (layouts don't get the URL) in case the cookie names no session any more.
 *
 * This only saves a round trip: every /app layout, page and server function still checks the
 * session on the server (lib/auth/session.ts).
 */
import { NextResponse, type NextRequest } from 'next/server';

import { loginPath, RETURN_TO_HEADER, SESSION_COOKIE } from './lib/auth/paths';

/**
 * The Chatwoot Dashboard App page is shown by Chatwoot in a frame: only the Chatwoot origins
 * named in CHATWOOT_DASHBOARD_ORIGINS may frame it (CSP frame-ancestors); no one else may.
 */
function dashboardApp(): NextResponse {
  const origins = (process.env.CHATWOOT_DASHBOARD_ORIGINS ?? '')
    .split(',')
    .map((o) => o.trim())
    .filter((o) => /^https?:\/\/[^\s/;,]+$/.test(o));
  const response = NextResponse.next();
  response.headers.set(
    'content-security-policy',
    `frame-ancestors ${origins.length ? origins.join(' ') : "'none'"}`,
  );
  return response;
}

export function proxy(request: NextRequest): NextResponse {
  const url = request.nextUrl;
  if (url.pathname.startsWith('/chatwoot/')) return dashboardApp();
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
  matcher: ['/app', '/app/:path*', '/chatwoot/:path*'],
};
