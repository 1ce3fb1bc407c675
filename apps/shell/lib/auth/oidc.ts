/**
 * OpenID Connect through openid-client (v6): discovery, the authorization code flow with PKCE
 * (S256), state and nonce, the refresh token grant, and the RP-initiated logout URL.
 *
 * Server-only: never import this from a client component.
 */
import * as client from 'openid-client';

import type { AuthConfig } from './config';
import type { SessionData } from './session-data';

/** Scopes asked for: the ID token (openid) with the profile and e-mail claims. */
export const SCOPES = 'openid profile email';

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

/** Plain HTTP to the provider only when it runs on this machine (the development provider). */
export function allowsInsecureRequests(issuer: string): boolean {
  const url = new URL(issuer);
  return url.protocol === 'http:' && LOOPBACK.has(url.hostname);
}

/**
 * Discovered configurations, per module instance on purpose (not on globalThis): Next.js may
 * bundle openid-client more than once (route handlers, pages), and each copy accepts only its
 * own Configuration instances.
 */
const cache = new Map<string, Promise<client.Configuration>>();

/** The provider's discovered configuration, fetched once (and again after a failure). */
export function getOidcConfiguration(config: AuthConfig): Promise<client.Configuration> {
  const key = `${config.issuer}|${config.clientId}|${config.clientSecret}`;
  let pending = cache.get(key);
  if (!pending) {
    pending = client.discovery(
      new URL(config.issuer),
      config.clientId,
      undefined,
      client.ClientSecretBasic(config.clientSecret),
      {
        execute: allowsInsecureRequests(config.issuer) ? [client.allowInsecureRequests] : [],
        timeout: 10,
      },
    );
    cache.set(key, pending);
    pending.catch(() => cache.delete(key));
  }
  return pending;
}

/** What the browser carries from /auth/login to /auth/callback (in the login cookie). */
export interface LoginState {
  codeVerifier: string;
  state: string;
  nonce: string;
  returnTo: string;
}

/** The provider's authorization URL for a new sign-in, and the state to keep until the callback. */
export async function startLogin(
  config: AuthConfig,
  returnTo: string,
): Promise<{ url: URL; login: LoginState }> {
  const oidc = await getOidcConfiguration(config);
  const codeVerifier = client.randomPKCECodeVerifier();
  const login: LoginState = {
    codeVerifier,
    state: client.randomState(),
    nonce: client.randomNonce(),
    returnTo,
  };
  const url = client.buildAuthorizationUrl(oidc, {
    redirect_uri: config.redirectUri,
    scope: SCOPES,
    code_challenge: await client.calculatePKCECodeChallenge(codeVerifier),
    code_challenge_method: 'S256',
    state: login.state,
    nonce: login.nonce,
  });
  return { url, login };
}

type TokenResponse = client.TokenEndpointResponse & client.TokenEndpointResponseHelpers;

function stringClaim(claims: client.IDToken | undefined, name: string): string | undefined {
  const value = claims?.[name];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function expiresAt(tokens: TokenResponse, now: number): number {
  // Keycloak always says expires_in; without it, assume its default access token lifespan.
  return now + (tokens.expires_in ?? 300) * 1000;
}

/**
 * Finish a sign-in: exchange the code (checking state, PKCE and the ID token's nonce) and build
 * the session. `callbackUrl` is the callback as the provider redirected to it, query included.
 */
export async function completeLogin(
  config: AuthConfig,
  callbackUrl: URL,
  login: LoginState,
  now: number = Date.now(),
): Promise<SessionData> {
  const oidc = await getOidcConfiguration(config);
  const tokens = await client.authorizationCodeGrant(oidc, callbackUrl, {
    pkceCodeVerifier: login.codeVerifier,
    expectedState: login.state,
    expectedNonce: login.nonce,
    idTokenExpected: true,
  });
  const claims = tokens.claims();
  if (!claims) throw new Error('the token response has no ID token');
  const username = stringClaim(claims, 'preferred_username') ?? claims.sub;
  return {
    subject: claims.sub,
    // Keycloak names its session in the ID token's sid (and in the token response's session_state).
    sid:
      stringClaim(claims, 'sid') ??
      (typeof tokens.session_state === 'string' ? tokens.session_state : null),
    username,
    name: stringClaim(claims, 'name') ?? username,
    email: stringClaim(claims, 'email') ?? null,
    accessToken: tokens.access_token,
    accessTokenExpiresAt: expiresAt(tokens, now),
    refreshToken: tokens.refresh_token ?? null,
    idToken: tokens.id_token ?? null,
    createdAt: now,
  };
}

/** New tokens for a session through the refresh token grant (the refresh token may rotate). */
export async function refreshSession(
  config: AuthConfig,
  session: SessionData,
  now: number = Date.now(),
): Promise<SessionData> {
  if (!session.refreshToken) throw new Error('the session has no refresh token');
  const oidc = await getOidcConfiguration(config);
  const tokens = await client.refreshTokenGrant(oidc, session.refreshToken);
  const claims = tokens.claims();
  if (claims && claims.sub !== session.subject) {
    throw new Error('the refreshed ID token names another subject');
  }
  return {
    ...session,
    accessToken: tokens.access_token,
    accessTokenExpiresAt: expiresAt(tokens, now),
    refreshToken: tokens.refresh_token ?? session.refreshToken,
    idToken: tokens.id_token ?? session.idToken,
    email: stringClaim(claims, 'email') ?? session.email,
    name: stringClaim(claims, 'name') ?? session.name,
  };
}

/**
 * Whether a failure came from the provider refusing the request (invalid_grant and the like),
 * rather than from not reaching it.
 */
export function isProviderRefusal(err: unknown): boolean {
  return (
    err instanceof client.ResponseBodyError || err instanceof client.AuthorizationResponseError
  );
}

/**
 * The provider's end-session URL (RP-initiated logout). With an ID token as hint the provider
 * ends its session without asking; without one it asks the person to confirm.
 */
export async function endSessionUrl(config: AuthConfig, idTokenHint: string | null): Promise<URL> {
  const oidc = await getOidcConfiguration(config);
  return client.buildEndSessionUrl(oidc, {
    post_logout_redirect_uri: `${config.publicUrl}/`,
    ...(idTokenHint ? { id_token_hint: idTokenHint } : {}),
  });
}
