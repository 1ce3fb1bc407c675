/**
 * GET /auth/login?returnTo=/app/...: start the authorization code flow with PKCE. The verifier,
 * state, nonce and the (sanitised) page to return to wait in the short-lived login cookie.
 */
import type { NextRequest } from 'next/server';

import { getAuthConfig, type AuthConfig } from '@/lib/auth/config';
import { encodeLoginState, LOGIN_COOKIE, loginCookieOptions } from '@/lib/auth/cookies';
import { throttleSignIn } from '@/lib/auth/login-throttle';
import { startLogin } from '@/lib/auth/oidc';
import { authErrorPath } from '@/lib/auth/paths';
import { seeOther } from '@/lib/auth/responses';
import { sanitizeReturnTo } from '@/lib/auth/return-to';
import { getSession } from '@/lib/auth/session';

export async function GET(request: NextRequest): Promise<Response> {
  const returnTo = sanitizeReturnTo(request.nextUrl.searchParams.get('returnTo'));
  let config: AuthConfig;
  try {
    config = getAuthConfig();
  } catch (err) {
    console.error('sign-in: the Shell is not configured for it:', (err as Error).message);
    return seeOther(authErrorPath('unavailable', returnTo));
  }

  // Signed in already: no need to bother the provider.
  const session = await getSession().catch(() => null);
  if (session) return seeOther(returnTo);
  const throttled = throttleSignIn(config, request.headers);
  if (throttled) return throttled;

  let start: Awaited<ReturnType<typeof startLogin>>;
  try {
    start = await startLogin(config, returnTo);
  } catch (err) {
    console.error('sign-in: the identity provider could not be reached:', err);
    return seeOther(authErrorPath('unavailable', returnTo));
  }
  const response = seeOther(start.url.href);
  response.cookies.set(LOGIN_COOKIE, encodeLoginState(start.login), loginCookieOptions(config));
  return response;
}
