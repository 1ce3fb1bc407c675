/**
 * Responses of the /auth route handlers: redirects that are never cached. Redirects within the
 * Shell use a relative Location, so they stay on whichever origin the browser is on.
 */
import { NextResponse } from 'next/server';

export function seeOther(location: string): NextResponse {
  return new NextResponse(null, {
    status: 303,
    headers: { location, 'cache-control': 'no-store' },
  });
}

export function jsonNoStore(status: number, body: unknown): NextResponse {
  return NextResponse.json(body, { status, headers: { 'cache-control': 'no-store' } });
}
