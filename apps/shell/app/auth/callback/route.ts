/**
 * GET /auth/callback: the provider's redirect back. Exchanges the code (state, PKCE verifier and
 * nonce checked), stores the tokens in a new server-side session, gives the browser the session
 * id in an httpOnly cookie, and returns to the page that was asked for.
 */
import type { NextRequest } from 'next/server';

import { getAuthConfig, type AuthConfig } from '@/lib/auth/config';
import {
  decodeLoginState,
  expired,
  LOGIN_COOKIE,
  loginCookieOptions,
  SESSION_COOKIE,
  sessionCookieOptions,
} from '@/lib/auth/cookies';
import { throttleSignIn } from '@/lib/auth/login-throttle';
import { completeLogin, isProviderRefusal } from '@/lib/auth/oidc';
import { authErrorPath } from '@/lib/auth/paths';
import { seeOther } from '@/lib/auth/responses';
import { isSessionId, type SessionData } from '@/lib/auth/session-data';
import { getSessionStore } from '@/lib/auth/session-store';
import { createSession } from '@/lib/auth/sessions';

export async function GET(request: NextRequest): Promise<Response> {
  let config: AuthConfig;
  try {
    config = getAuthConfig();
  } catch (err) {
    console.error('sign-in: the Shell is not configured for it:', (err as Error).message);
    return seeOther(authErrorPath('unavailable'));
  }
  const throttled = throttleSignIn(config, request.headers);
  if (throttled) return throttled;
  const forgetLogin = (response: ReturnType<typeof seeOther>) => {
    response.cookies.set(LOGIN_COOKIE, '', expired(loginCookieOptions(config)));
    return response;
  };

  const login = decodeLoginState(request.cookies.get(LOGIN_COOKIE)?.value);
  if (!login) return forgetLogin(seeOther(authErrorPath('expired')));

  const params = request.nextUrl.searchParams;
  const error = params.get('error');
  if (error) {
    console.warn(`sign-in: the provider answered ${error.slice(0, 100)}`);
    const reason = error === 'access_denied' ? 'denied' : 'failed';
    return forgetLogin(seeOther(authErrorPath(reason, login.returnTo)));
  }

  let data: SessionData;
  try {
    // The redirect URI as registered, with the query the provider sent.
    data = await completeLogin(
      config,
      new URL(`${config.redirectUri}${request.nextUrl.search}`),
      login,
    );
  } catch (err) {
    console.error('sign-in: completing the authorization code flow failed:', err);
    const unreachable = err instanceof TypeError && err.message === 'fetch failed';
    const reason = isProviderRefusal(err) || !unreachable ? 'failed' : 'unavailable';
    return forgetLogin(seeOther(authErrorPath(reason, login.returnTo)));
  }

  let id: string;
  try {
    const store = getSessionStore(config);
    // A new id at every sign-in (no session fixation); the one this browser had is over.
    const previous = request.cookies.get(SESSION_COOKIE)?.value;
    if (isSessionId(previous)) await store.delete(previous);
    id = await createSession({ config, store }, data);
  } catch (err) {
    console.error('sign-in: the session could not be stored:', err);
    return forgetLogin(seeOther(authErrorPath('unavailable', login.returnTo)));
  }

  const response = forgetLogin(seeOther(login.returnTo));
  response.cookies.set(SESSION_COOKIE, id, sessionCookieOptions(config));
  return response;
}
