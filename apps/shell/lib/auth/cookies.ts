/**
 * The Shell's two cookies, both httpOnly and SameSite=Lax (Lax, not Strict: the provider's
 * redirect back to /auth/callback is a cross-site navigation that must carry them), `Secure`
 * when the public URL is https:
 *
 * - `afenda_session`: the session id and nothing else (path /, as long as the session);
 * - `afenda_login`: the sign-in in progress (PKCE verifier, state, nonce, where to return), for
 *   10 minutes, only sent to /auth.
 */
import { z } from 'zod';

import type { AuthConfig } from './config';
import type { LoginState } from './oidc';
import { sanitizeReturnTo } from './return-to';

export { SESSION_COOKIE } from './paths';
export const LOGIN_COOKIE = 'afenda_login';
export const LOGIN_TTL_S = 600;

export interface CookieOptions {
  httpOnly: true;
  secure: boolean;
  sameSite: 'lax';
  path: string;
  maxAge: number;
}

export function sessionCookieOptions(config: AuthConfig): CookieOptions {
  return {
    httpOnly: true,
    secure: config.secureCookies,
    sameSite: 'lax',
    path: '/',
    maxAge: config.sessionTtlS,
  };
}

export function loginCookieOptions(config: AuthConfig): CookieOptions {
  return {
    httpOnly: true,
    secure: config.secureCookies,
    sameSite: 'lax',
    path: '/auth',
    maxAge: LOGIN_TTL_S,
  };
}

/** The same attributes with Max-Age 0: how a browser is told to forget a cookie. */
export function expired(options: CookieOptions): CookieOptions {
  return { ...options, maxAge: 0 };
}

const loginCookieSchema = z.object({
  v: z.string().min(43).max(128),
  s: z.string().min(1).max(256),
  n: z.string().min(1).max(256),
  r: z.string().max(2048),
  t: z.number(),
});

export function encodeLoginState(login: LoginState, now: number = Date.now()): string {
  return Buffer.from(
    JSON.stringify({
      v: login.codeVerifier,
      s: login.state,
      n: login.nonce,
      r: login.returnTo,
      t: now,
    }),
    'utf8',
  ).toString('base64url');
}

/** The sign-in in progress, or undefined when absent, malformed or older than 10 minutes. */
export function decodeLoginState(
  value: string | undefined,
  now: number = Date.now(),
): LoginState | undefined {
  if (!value || value.length > 4096) return undefined;
  let parsed: z.infer<typeof loginCookieSchema>;
  try {
    const result = loginCookieSchema.safeParse(
      JSON.parse(Buffer.from(value, 'base64url').toString('utf8')),
    );
    if (!result.success) return undefined;
    parsed = result.data;
  } catch {
    return undefined;
  }
  if (now - parsed.t > LOGIN_TTL_S * 1000 || parsed.t - now > 60_000) return undefined;
  return {
    codeVerifier: parsed.v,
    state: parsed.s,
    nonce: parsed.n,
    // Checked when it was written; checked again, as everything that comes from a browser.
    returnTo: sanitizeReturnTo(parsed.r),
  };
}
