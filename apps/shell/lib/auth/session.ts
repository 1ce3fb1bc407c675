/**
 * The signed-in user, for Server Components, Server Functions and Route Handlers: the session
 * cookie's id, looked up in the session store, with a fresh access token.
 *
 * Server-only: never import this from a client component.
 */
import { cookies, headers } from 'next/headers';
import { redirect } from 'next/navigation';
import { cache } from 'react';

import { getAuthConfig } from './config';
import { SESSION_COOKIE } from './cookies';
import { loginPath, RETURN_TO_HEADER } from './paths';
import { DEFAULT_RETURN_TO, sanitizeReturnTo } from './return-to';
import { isSessionId } from './session-data';
import { getSessionStore } from './session-store';
import { loadSession } from './sessions';

export interface SignedInUser {
  subject: string;
  username: string;
  name: string;
  email: string | null;
}

export interface CurrentSession {
  user: SignedInUser;
  /** For calls to the orchestrator from the server. Never hand it to the browser. */
  accessToken: string;
}

/** The session id in the request's cookie, if it has the shape of one. */
export async function getSessionId(): Promise<string | undefined> {
  const value = (await cookies()).get(SESSION_COOKIE)?.value;
  return isSessionId(value) ? value : undefined;
}

/**
 * The current session, or null when signed out. Refreshes the access token when it expires
 * within 60 s; a refresh the provider refuses ends the session (null). Once per request.
 */
export const getSession = cache(async (): Promise<CurrentSession | null> => {
  const id = await getSessionId();
  if (!id) return null;
  const config = getAuthConfig();
  const data = await loadSession({ config, store: getSessionStore(config) }, id);
  if (!data) return null;
  return {
    user: { subject: data.subject, username: data.username, name: data.name, email: data.email },
    accessToken: data.accessToken,
  };
});

/**
 * The current session, or a redirect to sign-in that comes back to `returnTo` (default: the page
 * the proxy says was asked for, else /app). A cookie naming no session counts as signed out.
 */
export async function requireSession(returnTo?: string): Promise<CurrentSession> {
  const session = await getSession();
  if (session) return session;
  const asked = returnTo ?? (await headers()).get(RETURN_TO_HEADER) ?? DEFAULT_RETURN_TO;
  redirect(loginPath(sanitizeReturnTo(asked)));
}
