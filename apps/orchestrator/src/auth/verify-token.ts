import { createRemoteJWKSet, errors as joseErrors, jwtVerify, type JWTPayload } from 'jose';

/** The claims we read from a Keycloak access token (or the development provider's, same shape). */
export interface AccessClaims extends JWTPayload {
  sub: string;
  azp?: string;
  sid?: string;
  typ?: string;
  auth_time?: number;
  preferred_username?: string;
  email?: string;
  name?: string;
  groups?: string[];
  realm_access?: { roles?: string[] };
}

export class TokenRejected extends Error {
  constructor(
    message: string,
    /** RFC 6750 error code for WWW-Authenticate. */
    public readonly oauthError: 'invalid_token' | 'invalid_request' = 'invalid_token',
  ) {
    super(message);
    this.name = 'TokenRejected';
  }
}

/** The issuer could not be reached to get its keys: not the caller's fault. */
export class IssuerUnavailable extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'IssuerUnavailable';
  }
}

export interface VerifierOptions {
  issuer: string;
  audience: string;
  /** The clients (`azp`) whose tokens are accepted: the product's own, not any with our audience. */
  allowedClients: readonly string[];
  algorithms: string[];
  clockToleranceSeconds: number;
  /** At most one JWKS refetch (for an unknown kid) per this many seconds. */
  cooldownSeconds: number;
  fetchTimeoutMs?: number;
}

export type TokenVerifier = (token: string) => Promise<AccessClaims>;

/**
 * An access token as Keycloak issues them: the `typ` claim `Bearer` (ID, refresh and logout
 * tokens say `ID`, `Refresh`, `Logout`), or, with Keycloak's RFC 9068 option on, the header
 * `typ` `at+jwt`. A token that says neither is not taken for one.
 */
function isAccessToken(claims: AccessClaims, headerTyp: string | undefined): boolean {
  const header = headerTyp?.toLowerCase().replace(/^application\//, '');
  if (header === 'at+jwt') return claims.typ === undefined || claims.typ === 'Bearer';
  return claims.typ === 'Bearer';
}

/**
 * RFC 8725-minded verification: keys only from the configured issuer's own discovery document
 * (never from `jku`/`x5u` or any URL a token names), an allow-list of asymmetric algorithms
 * (so `none` and HS256-with-the-public-key cannot pass), the exact issuer, our audience
 * required (Keycloak puts the client in `azp`; without the audience mapper there is no `aud`,
 * and such a token is refused), exp/nbf with a small leeway, access tokens only (`isAccessToken`), and only from the
 * product's own clients (`azp` on the allow-list: another client of the realm that was given our
 * audience is still not one of ours).
 */
export function createTokenVerifier(options: VerifierOptions): TokenVerifier {
  let jwks: ReturnType<typeof createRemoteJWKSet> | undefined;
  let discovering: Promise<ReturnType<typeof createRemoteJWKSet>> | undefined;
  const timeout = options.fetchTimeoutMs ?? 5_000;

  const keys = (): Promise<ReturnType<typeof createRemoteJWKSet>> => {
    if (jwks) return Promise.resolve(jwks);
    discovering ??= (async () => {
      const url = `${options.issuer}/.well-known/openid-configuration`;
      let doc: { issuer?: string; jwks_uri?: string };
      try {
        const res = await fetch(url, { signal: AbortSignal.timeout(timeout) });
        if (!res.ok) throw new Error(`HTTP ${res.status}`);
        doc = (await res.json()) as typeof doc;
      } catch (err) {
        throw new IssuerUnavailable(`cannot read ${url}: ${(err as Error).message}`);
      }
      if (doc.issuer !== options.issuer || !doc.jwks_uri) {
        throw new IssuerUnavailable(
          `the discovery document at ${url} names issuer ${doc.issuer ?? '(none)'}, not ${options.issuer}`,
        );
      }
      jwks = createRemoteJWKSet(new URL(doc.jwks_uri), {
        cooldownDuration: options.cooldownSeconds * 1000,
        cacheMaxAge: 10 * 60 * 1000,
        timeoutDuration: timeout,
      });
      return jwks;
    })().finally(() => {
      discovering = undefined;
    });
    return discovering;
  };

  return async (token) => {
    if (!/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/.test(token))
      throw new TokenRejected('The token is not a JWT');
    const keySet = await keys();
    try {
      const { payload, protectedHeader } = await jwtVerify(token, keySet, {
        issuer: options.issuer,
        audience: options.audience,
        algorithms: options.algorithms,
        clockTolerance: options.clockToleranceSeconds,
        requiredClaims: ['sub', 'exp', 'iat'],
      });
      const claims = payload as AccessClaims;
      if (!isAccessToken(claims, protectedHeader.typ))
        throw new TokenRejected('Only access tokens are accepted');
      if (typeof claims.azp !== 'string' || !options.allowedClients.includes(claims.azp))
        throw new TokenRejected('The token was issued to a client this API does not serve');
      return claims;
    } catch (err) {
      if (err instanceof TokenRejected) throw err;
      if (
        err instanceof joseErrors.JWKSTimeout ||
        (err instanceof Error && err.name === 'TypeError')
      ) {
        throw new IssuerUnavailable(`cannot fetch the issuer's keys: ${err.message}`);
      }
      if (err instanceof joseErrors.JWTExpired) throw new TokenRejected('The token has expired');
      if (err instanceof joseErrors.JWTClaimValidationFailed)
        throw new TokenRejected(`The token's ${err.claim} claim is not acceptable`);
      if (err instanceof joseErrors.JOSEAlgNotAllowed)
        throw new TokenRejected('The token is signed with an algorithm we do not accept');
      if (err instanceof joseErrors.JWKSNoMatchingKey)
        throw new TokenRejected('The token is signed with a key the issuer does not publish');
      if (err instanceof joseErrors.JWSSignatureVerificationFailed)
        throw new TokenRejected('The token signature is not valid');
      if (err instanceof joseErrors.JOSEError) throw new TokenRejected('The token is not valid');
      throw err;
    }
  };
}
