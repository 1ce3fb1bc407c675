/**
 * What every part of the provider shares, built once per createDevIdp: the realm, the issuer and
 * where it is mounted, the signing key, oidc-provider's storage, and what we remember of the
 * tokens we issued. Passed to each part explicitly, so that two providers in one process (as the
 * tests start) never see each other's state.
 */
import { createPublicKey, type KeyObject } from 'node:crypto';
import type { AccessToken, ClientCredentials } from 'oidc-provider';
import { loadOrCreateSigningKey, publicJwk, type SigningKey } from '../keys.ts';
import { loadRealm, type Realm } from '../realm.ts';
import { MemoryStore } from '../store.ts';
import { SignInThrottle, type SignInLimit } from './throttle.ts';

/** pino-compatible: `logger.info({ fields }, 'message')`. Never given passwords or tokens. */
export interface DevIdpLogger {
  info(fields: Record<string, unknown>, msg: string): void;
  warn(fields: Record<string, unknown>, msg: string): void;
  error(fields: Record<string, unknown>, msg: string): void;
}

export interface DevIdpOptions {
  /** Scheme, host and port clients use, e.g. http://localhost:8080 (the issuer adds /realms/<realm>). */
  issuerBaseUrl: string;
  /** The Keycloak realm export, e.g. deploy/keycloak/realm-afenda.json. */
  realmFile: string;
  /** Where the RS256 signing JWK is kept (created at first start, mode 0600). In memory if absent. */
  keysFile?: string;
  logger?: DevIdpLogger;
  /** Failed password checks allowed per username and per address (default 20 a minute). */
  signInLimit?: SignInLimit;
  /** Where `${VAR:default}` placeholders in the export are resolved from (default process.env). */
  env?: Record<string, string | undefined>;
}

const silent: DevIdpLogger = { info() {}, warn() {}, error() {} };

export const epoch = (): number => Math.floor(Date.now() / 1000);

/** auth_time and acr of a login, for the claims of the tokens it leads to. */
export interface Login {
  authTime: number;
  acr: string;
}

export interface IdpState {
  logger: DevIdpLogger;
  realm: Realm;
  issuer: string;
  issuerUrl: URL;
  /** The issuer's path, under which every route is served. */
  mount: string;
  secure: boolean;
  realmTitle: string;
  key: SigningKey;
  verificationKey: KeyObject;
  store: MemoryStore;
  issued: IssuedTokens;
  /** Keyed by the token request's context: a password grant has no session to carry its login. */
  passwordLogins: WeakMap<object, Login>;
  /** Failed password checks, per username and address: the password grant and the form share it. */
  signIns: SignInThrottle;
}

export async function loadState(options: DevIdpOptions): Promise<IdpState> {
  const logger = options.logger ?? silent;
  const realm: Realm = await loadRealm(options.realmFile, options.env);
  const base = normaliseBase(options.issuerBaseUrl);
  const issuer = `${base.href.replace(/\/+$/, '')}/realms/${encodeURIComponent(realm.name)}`;
  const issuerUrl = new URL(issuer);

  const key: SigningKey = await loadOrCreateSigningKey(options.keysFile);
  if (key.source === 'read-permissions-fixed') {
    logger.warn(
      { file: options.keysFile },
      'the signing key file was readable by others; narrowed it to 0600',
    );
  }

  return {
    logger,
    realm,
    issuer,
    issuerUrl,
    mount: issuerUrl.pathname,
    secure: issuerUrl.protocol === 'https:',
    realmTitle: realm.displayName ?? realm.name,
    key,
    verificationKey: createPublicKey({ key: publicJwk(key.jwk), format: 'jwk' }),
    store: new MemoryStore(),
    issued: new IssuedTokens(realm.accessTokenLifespan),
    passwordLogins: new WeakMap(),
    signIns: new SignInThrottle(options.signInLimit),
  };
}

function normaliseBase(base: string): URL {
  let url: URL;
  try {
    url = new URL(base);
  } catch {
    throw new Error(`issuerBaseUrl ${base} is not a URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new Error(`issuerBaseUrl ${base} must be http or https`);
  }
  if (url.search || url.hash || url.username || url.password) {
    throw new Error(`issuerBaseUrl ${base} must not have credentials, a query or a fragment`);
  }
  return url;
}

interface IssuedToken {
  exp: number;
  grantId?: string;
  sessionUid?: string;
  expiresWithSession?: boolean;
  accountId?: string;
  clientId?: string;
}

/** JWT access tokens are not stored by oidc-provider: what we know of each, for introspection. */
export class IssuedTokens {
  private readonly tokens = new Map<string, IssuedToken>();
  private readonly sweep = setInterval(() => {
    const now = epoch();
    for (const [jti, t] of this.tokens) if (t.exp < now) this.tokens.delete(jti);
  }, 60_000);

  constructor(private readonly accessTokenLifespan: number) {
    this.sweep.unref();
  }

  remember(token: AccessToken | ClientCredentials): void {
    const t = token as AccessToken;
    this.tokens.set(token.jti, {
      exp: epoch() + (token.expiration ?? this.accessTokenLifespan) + 60,
      grantId: t.grantId,
      sessionUid: t.sessionUid,
      expiresWithSession: t.expiresWithSession,
      accountId: t.accountId,
      clientId: token.clientId,
    });
  }

  get(jti: string): IssuedToken | undefined {
    return this.tokens.get(jti);
  }

  forget(jti: string): void {
    this.tokens.delete(jti);
  }

  close(): void {
    clearInterval(this.sweep);
    this.tokens.clear();
  }
}
