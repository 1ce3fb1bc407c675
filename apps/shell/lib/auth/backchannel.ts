/**
 * OpenID Connect Back-Channel Logout 1.0: the provider POSTs a signed logout token when a
 * session ends there (sign-out elsewhere, an administrator ending it, a user disabled); we end
 * ours. Verification follows section 2.6 of the specification.
 *
 * Server-only: never import this from a client component.
 */
import { createRemoteJWKSet, errors as joseErrors, jwtVerify, type JWTVerifyGetKey } from 'jose';

import type { AuthConfig } from './config';
import { getOidcConfiguration } from './oidc';
import { ASYMMETRIC_JWS_ALGORITHMS } from '@afenda/contracts';

export const BACKCHANNEL_LOGOUT_EVENT = 'http://schemas.openid.net/event/backchannel-logout';

/** Asymmetric signatures only: `none` and HMAC (with a public key as secret) never pass. */
export const LOGOUT_TOKEN_ALGORITHMS: string[] = [...ASYMMETRIC_JWS_ALGORITHMS];

export interface LogoutTokenClaims {
  sid?: string;
  sub?: string;
  jti?: string;
}

export class LogoutTokenError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'LogoutTokenError';
  }
}

export interface VerifyLogoutTokenOptions {
  issuer: string;
  /** Our client id: the token's audience. */
  clientId: string;
  /** The provider's keys (its JWKS). */
  keys: JWTVerifyGetKey;
  /** How old `iat` may be (default 300 s). */
  maxAgeS?: number;
  clockToleranceS?: number;
  currentDate?: Date;
}

/** Verify a logout token; returns its sid and/or sub, or throws {@link LogoutTokenError}. */
export async function verifyLogoutToken(
  token: string,
  options: VerifyLogoutTokenOptions,
): Promise<LogoutTokenClaims> {
  let payload: Record<string, unknown>;
  try {
    ({ payload } = await jwtVerify(token, options.keys, {
      issuer: options.issuer,
      audience: options.clientId,
      algorithms: LOGOUT_TOKEN_ALGORITHMS,
      maxTokenAge: options.maxAgeS ?? 300,
      clockTolerance: options.clockToleranceS ?? 30,
      requiredClaims: ['iat'],
      ...(options.currentDate ? { currentDate: options.currentDate } : {}),
    }));
  } catch (err) {
    // Not reaching the provider's JWKS is our problem, not the token's.
    if (err instanceof joseErrors.JWKSTimeout) throw err;
    if (err instanceof joseErrors.JOSEError) {
      throw new LogoutTokenError(`the logout token is not valid: ${describe(err)}`, {
        cause: err,
      });
    }
    throw err;
  }

  const events = payload.events;
  if (
    typeof events !== 'object' ||
    events === null ||
    Array.isArray(events) ||
    typeof (events as Record<string, unknown>)[BACKCHANNEL_LOGOUT_EVENT] !== 'object' ||
    (events as Record<string, unknown>)[BACKCHANNEL_LOGOUT_EVENT] === null
  ) {
    throw new LogoutTokenError('the logout token has no back-channel logout event');
  }
  // A nonce would make it an ID token (section 2.4: it must not have one).
  if ('nonce' in payload) throw new LogoutTokenError('the logout token must not have a nonce');
  const sid = typeof payload.sid === 'string' && payload.sid !== '' ? payload.sid : undefined;
  const sub = typeof payload.sub === 'string' && payload.sub !== '' ? payload.sub : undefined;
  if (!sid && !sub) throw new LogoutTokenError('the logout token names neither sid nor sub');
  return {
    ...(sid ? { sid } : {}),
    ...(sub ? { sub } : {}),
    ...(typeof payload.jti === 'string' ? { jti: payload.jti } : {}),
  };
}

function describe(err: InstanceType<typeof joseErrors.JOSEError>): string {
  if (err instanceof joseErrors.JWTClaimValidationFailed) return `${err.claim}: ${err.message}`;
  if (err instanceof joseErrors.JWSSignatureVerificationFailed) return 'bad signature';
  return err.message;
}

/** Key sets by JWKS URI (per module instance, like the discovered configuration). */
const keySets = new Map<string, JWTVerifyGetKey>();

/** The provider's signing keys, from the JWKS its discovery document names (cached). */
export async function getProviderKeys(config: AuthConfig): Promise<JWTVerifyGetKey> {
  const oidc = await getOidcConfiguration(config);
  const jwksUri = oidc.serverMetadata().jwks_uri;
  if (!jwksUri) throw new Error('the provider publishes no jwks_uri');
  let keys = keySets.get(jwksUri);
  if (!keys) {
    keys = createRemoteJWKSet(new URL(jwksUri), { timeoutDuration: 10_000 });
    keySets.set(jwksUri, keys);
  }
  return keys;
}
