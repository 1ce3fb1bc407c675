/**
 * POST /auth/logout (a form on our pages; cross-site posts are refused): end the session here,
 * clear the cookie, and end the provider's session too (RP-initiated logout with the ID token
 * as hint), which then sends the browser back to the home page.
 */
import type { NextRequest } from 'next/server';

import { getAuthConfig, type AuthConfig } from '@/lib/auth/config';
import { expired, SESSION_COOKIE, sessionCookieOptions } from '@/lib/auth/cookies';
import { endSessionUrl } from '@/lib/auth/oidc';
import { seeOther } from '@/lib/auth/responses';
import { isSameOriginRequest } from '@/lib/auth/same-origin';
import { isSessionId } from '@/lib/auth/session-data';
import { getSessionStore } from '@/lib/auth/session-store';

export async function POST(request: NextRequest): Promise<Response> {
  let config: AuthConfig;
  try {
    config = getAuthConfig();
  } catch (err) {
    console.error('sign-out: the Shell is not configured for it:', (err as Error).message);
    return new Response('Sign-out is not available.', { status: 503 });
  }
  if (!isSameOriginRequest(request.headers, config.publicUrl)) {
    return new Response('Cross-site sign-out refused.', {
      status: 403,
      headers: { 'cache-control': 'no-store' },
    });
  }

  let idToken: string | null = null;
  const id = request.cookies.get(SESSION_COOKIE)?.value;
  if (isSessionId(id)) {
    try {
      const store = getSessionStore(config);
      idToken = (await store.get(id))?.idToken ?? null;
      await store.delete(id);
    } catch (err) {
      // The cookie goes anyway, and the provider's back-channel logout will try again.
      console.error('sign-out: the session could not be deleted:', err);
    }
  }

  let location = '/';
  try {
    location = (await endSessionUrl(config, idToken)).href;
  } catch (err) {
    console.error(
      'sign-out: the identity provider could not be reached; signed out here only:',
      err,
    );
  }
  const response = seeOther(location);
  response.cookies.set(SESSION_COOKIE, '', expired(sessionCookieOptions(config)));
  return response;
}
