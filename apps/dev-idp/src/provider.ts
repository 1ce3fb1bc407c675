/**
 * The embedded default's OpenID Connect provider: oidc-provider (a certified implementation)
 * dressed as Keycloak's realm `afenda`, seeded from the realm export a real Keycloak imports.
 *
 * Clients cannot tell it apart from Keycloak on the things they rely on: the issuer
 * `<base>/realms/<realm>`, Keycloak's endpoint paths, RS256 JWT access tokens with Keycloak's
 * claim set, the password grant for clients with direct access grants, PKCE where the client's
 * attribute asks for it, RP-initiated and back-channel logout, introspection and revocation.
 * README.md lists what it keeps and what it does not do. Development only: server.ts refuses
 * to run it with NODE_ENV=production.
 */
import {
  createHash,
  createPublicKey,
  randomBytes,
  randomUUID,
  timingSafeEqual,
  type KeyObject,
} from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { errors as joseErrors, jwtVerify, type JWTPayload } from 'jose';
import Provider, {
  errors,
  type Account,
  type AccessToken,
  type Client,
  type ClientCredentials,
  type ClientMetadata,
  type Configuration,
  type IdToken,
  type Interaction,
  type KoaContextWithOIDC,
  type ResourceServer,
  type TokenEndpointGrantContext,
} from 'oidc-provider';
import { loadOrCreateSigningKey, publicJwk, type SigningKey } from './keys.ts';
import {
  AUTO_SUBMIT_SCRIPT,
  errorPage,
  loggedOutPage,
  loginPage,
  logoutPage,
  pageHeaders,
} from './pages.ts';
import {
  accessTokenClaims,
  authenticate,
  findClient,
  findUserById,
  groupsClaim,
  loadRealm,
  matchesUriPattern,
  profileClaims,
  type Realm,
  type RealmClient,
} from './realm.ts';
import { MemoryStore } from './store.ts';

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
  /** Where `${VAR:default}` placeholders in the export are resolved from (default process.env). */
  env?: Record<string, string | undefined>;
}

export interface DevIdp {
  issuer: string;
  /** The signing key's id, and whether it was read from the keys file, created in it, or is in memory. */
  signingKey: { kid: string; source: SigningKey['source'] };
  callback: (req: IncomingMessage, res: ServerResponse) => void;
  close(): Promise<void>;
}

export interface StartDevIdpOptions extends Omit<DevIdpOptions, 'issuerBaseUrl'> {
  port: number;
  host?: string;
  /** Default: http://<host>:<bound port>. */
  issuerBaseUrl?: string;
}

export interface RunningDevIdp {
  issuer: string;
  signingKey: DevIdp['signingKey'];
  /** Where it listens, e.g. http://127.0.0.1:8080. */
  url: string;
  close(): Promise<void>;
}

const silent: DevIdpLogger = { info() {}, warn() {}, error() {} };

/** The audience Keycloak's audience mapper puts into the Afenda clients' access tokens. */
const ORCHESTRATOR_AUDIENCE = 'afenda-orchestrator';
/** oidc-provider's resource indicator for it (internal; Keycloak ignores `resource`). */
const ORCHESTRATOR_RESOURCE = 'urn:afenda:orchestrator';
/** Keycloak's default client scopes that appear in tokens' `scope`. */
const DEFAULT_SCOPES = ['profile', 'email'];
/** In access tokens' `scope` (the rest are Keycloak scopes with include.in.token.scope=false). */
const TOKEN_SCOPES = ['openid', 'profile', 'email', 'offline_access'];
const SUPPORTED_SCOPES = [...TOKEN_SCOPES, 'roles', 'web-origins', 'acr', 'basic'];
/** Keycloak's offline session idle timeout default (30 days). */
const OFFLINE_IDLE = 30 * 24 * 3600;

/** Keycloak's paths, relative to the issuer. */
export const ROUTES = {
  authorization: '/protocol/openid-connect/auth',
  token: '/protocol/openid-connect/token',
  jwks: '/protocol/openid-connect/certs',
  userinfo: '/protocol/openid-connect/userinfo',
  end_session: '/protocol/openid-connect/logout',
  revocation: '/protocol/openid-connect/revoke',
  introspection: '/protocol/openid-connect/token/introspect',
  pushed_authorization_request: '/protocol/openid-connect/ext/par/request',
} as const;
const DISCOVERY = '/.well-known/openid-configuration';

const epoch = (): number => Math.floor(Date.now() / 1000);
const digest = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();
const sameSecret = (a: string, b: string): boolean => timingSafeEqual(digest(a), digest(b));

/** A stable UUID for a name (service-account subjects: the export gives them no id). */
function nameUuid(name: string): string {
  const h = createHash('sha1').update(`afenda-dev-idp:${name}`).digest('hex');
  const variant = ((parseInt(h.slice(16, 18), 16) & 0x3f) | 0x80).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${variant}${h.slice(18, 20)}-${h.slice(20, 32)}`;
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

/** How a realm client looks to oidc-provider. */
function clientMetadata(c: RealmClient): ClientMetadata | undefined {
  const grantTypes = new Set<string>();
  if (c.standardFlowEnabled) grantTypes.add('authorization_code').add('refresh_token');
  if (c.directAccessGrantsEnabled) grantTypes.add('password').add('refresh_token');
  if (c.serviceAccountsEnabled && !c.publicClient) grantTypes.add('client_credentials');
  if (!grantTypes.size || !c.enabled) return undefined;
  const redirectUris = c.standardFlowEnabled
    ? c.redirectUris.filter((u) => URL.canParse(u) && /^https?:/.test(u))
    : [];
  if (c.standardFlowEnabled && !redirectUris.length) {
    throw new Error(
      `realm client ${c.clientId} has the standard flow enabled but no absolute redirect URI`,
    );
  }
  return {
    client_id: c.clientId,
    client_name: c.name ?? c.clientId,
    ...(c.publicClient
      ? { token_endpoint_auth_method: 'none' }
      : { client_secret: c.secret, token_endpoint_auth_method: 'client_secret_basic' }),
    grant_types: [...grantTypes],
    response_types: c.standardFlowEnabled ? ['code'] : [],
    redirect_uris: redirectUris,
    ...(c.backchannelLogoutUrl
      ? {
          backchannel_logout_uri: c.backchannelLogoutUrl,
          backchannel_logout_session_required: c.backchannelLogoutSessionRequired,
        }
      : {}),
  };
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly error: string,
    readonly description: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(description);
  }
}

type Form = Record<string, string>;

/** RFC 6749 section 2.3.1: client credentials in Basic are form-urlencoded first. */
function formDecode(value: string): string {
  try {
    return decodeURIComponent(value.replace(/\+/g, '%20'));
  } catch {
    throw new HttpError(400, 'invalid_request', 'Malformed client credentials');
  }
}

async function readForm(req: IncomingMessage, limit = 56 * 1024): Promise<Form> {
  const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new HttpError(413, 'invalid_request', 'Request body too large');
    chunks.push(chunk as Buffer);
  }
  if (size === 0) return {};
  if (type !== 'application/x-www-form-urlencoded') {
    throw new HttpError(
      400,
      'invalid_request',
      'Expected an application/x-www-form-urlencoded body',
    );
  }
  const form: Form = Object.create(null) as Form;
  for (const [k, v] of new URLSearchParams(Buffer.concat(chunks).toString('utf8'))) {
    if (Object.hasOwn(form, k))
      throw new HttpError(400, 'invalid_request', `Duplicated parameter: ${k}`);
    form[k] = v;
  }
  return form;
}

function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'cache-control': 'no-store',
    pragma: 'no-cache',
    ...headers,
  });
  res.end(text);
}

function sendHtml(res: ServerResponse, status: number, html: string): void {
  res.writeHead(status, pageHeaders());
  res.end(html);
}

export async function createDevIdp(options: DevIdpOptions): Promise<DevIdp> {
  const logger = options.logger ?? silent;
  const realm: Realm = await loadRealm(options.realmFile, options.env);
  const base = normaliseBase(options.issuerBaseUrl);
  const issuer = `${base.href.replace(/\/+$/, '')}/realms/${encodeURIComponent(realm.name)}`;
  const issuerUrl = new URL(issuer);
  const mount = issuerUrl.pathname;
  const secure = issuerUrl.protocol === 'https:';
  const realmTitle = realm.displayName ?? realm.name;

  const key: SigningKey = await loadOrCreateSigningKey(options.keysFile);
  if (key.source === 'read-permissions-fixed') {
    logger.warn(
      { file: options.keysFile },
      'the signing key file was readable by others; narrowed it to 0600',
    );
  }
  const verificationKey: KeyObject = createPublicKey({ key: publicJwk(key.jwk), format: 'jwk' });

  const store = new MemoryStore();

  /** JWT access tokens are not stored by oidc-provider: what we know of each, for introspection. */
  interface IssuedToken {
    exp: number;
    grantId?: string;
    sessionUid?: string;
    expiresWithSession?: boolean;
    accountId?: string;
    clientId?: string;
  }
  const issued = new Map<string, IssuedToken>();
  const sweep = setInterval(() => {
    const now = epoch();
    for (const [jti, t] of issued) if (t.exp < now) issued.delete(jti);
  }, 60_000);
  sweep.unref();

  /** auth_time and acr of a password grant, for the claims of the tokens it issues. */
  const passwordLogins = new WeakMap<object, { authTime: number; acr: string }>();

  const clientsMetadata = realm.clients.map(clientMetadata).filter((c): c is ClientMetadata => !!c);
  const groupClaimNames = [
    ...new Set(realm.clients.map((c) => c.groupsMapper?.claimName).filter((n): n is string => !!n)),
  ];

  const resourceServer = (): ResourceServer => ({
    scope: TOKEN_SCOPES.join(' '),
    audience: ORCHESTRATOR_AUDIENCE,
    accessTokenFormat: 'jwt',
    accessTokenTTL: realm.accessTokenLifespan,
    jwt: { sign: { alg: 'RS256' } },
  });

  const realmClientOf = (ctx: KoaContextWithOIDC | undefined): RealmClient | undefined => {
    const id = ctx?.oidc?.client?.clientId;
    return id ? findClient(realm, id) : undefined;
  };

  const findAccount = (ctx: KoaContextWithOIDC | undefined, sub: string): Account | undefined => {
    const user = findUserById(realm, sub);
    if (!user?.enabled) return undefined;
    return {
      accountId: user.id,
      claims: (use: string) => ({
        ...profileClaims(user),
        sub: user.id,
        ...groupsClaim(realmClientOf(ctx), user, use === 'id_token' ? 'idToken' : 'userinfo'),
      }),
    };
  };

  /** auth_time and acr of the login behind the token being issued. */
  const loginOf = (ctx: KoaContextWithOIDC | undefined): { authTime?: number; acr?: string } => {
    if (!ctx?.oidc) return {};
    const password = passwordLogins.get(ctx);
    if (password) return password;
    const source = ctx.oidc.entities.AuthorizationCode ?? ctx.oidc.entities.RefreshToken;
    return { authTime: source?.authTime, acr: source?.acr };
  };

  const autoSubmitHash = `sha256-${createHash('sha256').update(AUTO_SUBMIT_SCRIPT).digest('base64')}`;

  const configuration: Configuration = {
    adapter: store.adapter(),
    clients: clientsMetadata,
    jwks: { keys: [key.jwk] },
    findAccount,
    claims: {
      openid: ['sub', ...groupClaimNames],
      profile: ['name', 'given_name', 'family_name', 'preferred_username'],
      email: ['email', 'email_verified'],
      acr: null,
      sid: null,
      auth_time: null,
      iss: null,
    },
    scopes: SUPPORTED_SCOPES,
    responseTypes: ['code'],
    clientAuthMethods: ['client_secret_basic', 'client_secret_post', 'none'],
    allowOmittingSingleRegisteredRedirectUri: false,
    conformIdTokenClaims: true,
    routes: { ...ROUTES },
    cookies: {
      names: {
        session: 'dev_idp_session',
        interaction: 'dev_idp_interaction',
        resume: 'dev_idp_resume',
      },
      // Per start: sessions live in memory and end with the process anyway.
      keys: [randomBytes(32).toString('base64url')],
      long: { httpOnly: true, sameSite: 'lax', secure, path: mount },
      short: { httpOnly: true, sameSite: 'lax', secure },
    },
    pkce: {
      // Keycloak requires PKCE when the client's `pkce.code.challenge.method` attribute is set.
      required: (_ctx, client) => !!findClient(realm, client.clientId)?.pkceMethod,
    },
    ttl: {
      AccessToken: () => realm.accessTokenLifespan,
      ClientCredentials: () => realm.accessTokenLifespan,
      IdToken: () => realm.accessTokenLifespan,
      AuthorizationCode: () => 60,
      Interaction: () => 1800,
      Session: () => realm.ssoSessionMaxLifespan,
      Grant: (_ctx, grant) =>
        grant.getOIDCScope().split(' ').includes('offline_access')
          ? OFFLINE_IDLE
          : realm.ssoSessionMaxLifespan,
      RefreshToken: (_ctx, token) => {
        if (token.scopes.has('offline_access')) return OFFLINE_IDLE;
        const started = typeof token.iiat === 'number' ? token.iiat : epoch();
        const left = realm.ssoSessionMaxLifespan - (epoch() - started);
        return Math.max(1, Math.min(realm.ssoSessionIdleTimeout, left));
      },
    },
    issueRefreshToken: (_ctx, client) => client.grantTypeAllowed('refresh_token'),
    rotateRefreshToken: true,
    loadExistingGrant: async (ctx) => {
      // Keycloak grants first-party clients everything they ask for (no consent screen), and
      // always adds its default client scopes (profile, email).
      const { oidc } = ctx;
      const client = oidc.client;
      const session = oidc.session;
      const params = oidc.params as { scope?: string } | undefined;
      if (!client || !session?.accountId || !params) return undefined;
      const requested = new Set((params.scope ?? '').split(' ').filter(Boolean));
      for (const s of DEFAULT_SCOPES) requested.add(s);
      params.scope = [...requested].join(' ');

      const grantId = oidc.result?.consent?.grantId ?? session.grantIdFor(client.clientId);
      let grant = grantId ? await oidc.provider.Grant.find(grantId) : undefined;
      if (grant && (grant.accountId !== session.accountId || grant.clientId !== client.clientId))
        grant = undefined;
      grant ??= new oidc.provider.Grant({
        accountId: session.accountId,
        clientId: client.clientId,
      });
      grant.addOIDCScope([...oidc.requestParamOIDCScopes]);
      const claims = [...oidc.requestParamClaims];
      if (claims.length) grant.addOIDCClaims(claims);
      for (const [indicator, server] of Object.entries(oidc.resourceServers ?? {})) {
        grant.addResourceScope(
          indicator,
          [...requested].filter((s) => server.scopes.has(s)),
        );
      }
      await grant.save();
      return grant;
    },
    extraTokenClaims: (ctx, token) => {
      const login = loginOf(ctx);
      if (token.kind === 'AccessToken') {
        const at = token as AccessToken;
        const user = findUserById(realm, at.accountId);
        if (!user) return undefined;
        return {
          ...(login.authTime !== undefined ? { auth_time: login.authTime } : {}),
          ...accessTokenClaims(
            realm,
            user,
            findClient(realm, at.clientId ?? ''),
            at.clientId ?? '',
          ),
          ...(at.sid ? { sid: at.sid } : {}),
          acr: login.acr ?? '1',
        };
      }
      const clientId = (token as ClientCredentials).clientId ?? '';
      const client = findClient(realm, clientId);
      return {
        typ: 'Bearer',
        azp: clientId,
        acr: '1',
        ...(client?.webOrigins.length ? { 'allowed-origins': client.webOrigins } : {}),
        realm_access: { roles: [...new Set([...realm.defaultRoles, 'offline_access'])] },
        email_verified: false,
        preferred_username: `service-account-${clientId}`,
        client_id: clientId,
      };
    },
    formats: {
      customizers: {
        jwt: (_ctx, token, jwt) => {
          // Keycloak's shape: typ JWT, aud an array (the client's audience mappers), azp instead
          // of client_id, and a service account's own subject.
          jwt.header = { ...jwt.header, typ: 'JWT' };
          const client = findClient(realm, token.clientId ?? '');
          const aud = client?.accessTokenAudiences.length
            ? client.accessTokenAudiences
            : [String(jwt.payload.aud ?? ORCHESTRATOR_AUDIENCE)];
          jwt.payload.aud = aud;
          if (token.kind === 'ClientCredentials') {
            jwt.payload.sub = nameUuid(`${realm.name}/service-account/${token.clientId}`);
          } else {
            delete jwt.payload.client_id;
          }
        },
      },
    },
    features: {
      devInteractions: { enabled: false },
      claimsParameter: { enabled: false },
      dPoP: { enabled: false },
      clientCredentials: { enabled: true },
      introspection: { enabled: true, allowedPolicy: async () => true },
      revocation: {
        enabled: true,
        allowedPolicy: async (_ctx, client, token) => token.clientId === client.clientId,
      },
      userinfo: { enabled: true },
      backchannelLogout: { enabled: true },
      pushedAuthorizationRequests: { enabled: true },
      rpInitiatedLogout: {
        enabled: true,
        logoutSource: async (ctx, form) => {
          const automatic = typeof ctx.oidc.params?.id_token_hint === 'string';
          ctx.type = 'html';
          ctx.set(pageHeaders(automatic ? autoSubmitHash : undefined));
          ctx.body = logoutPage({ realmTitle, form, automatic });
        },
        postLogoutSuccessSource: async (ctx) => {
          ctx.type = 'html';
          ctx.set(pageHeaders());
          ctx.body = loggedOutPage(realmTitle);
        },
      },
      resourceIndicators: {
        enabled: true,
        defaultResource: async (_ctx, _client, oneOf) => {
          if (!oneOf) return ORCHESTRATOR_RESOURCE;
          return oneOf.includes(ORCHESTRATOR_RESOURCE)
            ? ORCHESTRATOR_RESOURCE
            : (oneOf[0] ?? ORCHESTRATOR_RESOURCE);
        },
        useGrantedResource: async () => true,
        // Keycloak ignores `resource`: every indicator means the orchestrator.
        getResourceServerInfo: async () => resourceServer(),
      },
    },
    // CORS: the localhost origins among the client's webOrigins (Keycloak's web origins).
    clientBasedCORS: (_ctx, origin, client) =>
      corsAllowed(findClient(realm, client.clientId), origin),
    interactions: {
      url: async (_ctx, interaction) => `${mount}/login/${interaction.uid}`,
    },
    renderError: async (ctx, out) => {
      ctx.type = 'html';
      ctx.set(pageHeaders());
      ctx.body = errorPage(
        realmTitle,
        String(out.error_description ?? out.error ?? 'Unexpected error'),
      );
    },
    // Back-channel logout goes to the Shell on localhost: oidc-provider's default fetch refuses
    // loopback and private addresses (SSRF protection), which is right for a public server and
    // wrong for a development provider whose clients all run on this machine.
    fetch: async (input, init) => {
      const { dispatcher: _dispatcher, ...rest } = (init ?? {}) as RequestInit & {
        dispatcher?: unknown;
      };
      return fetch(input, rest);
    },
  };

  const provider = new Provider(issuer, configuration);
  provider.proxy = secure;

  // Keycloak's redirect URI patterns: exact, or a prefix ending in `*`; same for the
  // post-logout redirect URIs of the `post.logout.redirect.uris` attribute.
  const ClientClass = provider.Client as unknown as { prototype: Client };
  ClientClass.prototype.redirectUriAllowed = function (this: Client, value: string): boolean {
    const c = findClient(realm, this.clientId);
    return !!c && matchesUriPattern(value, c.redirectUris);
  };
  ClientClass.prototype.postLogoutRedirectUriAllowed = function (
    this: Client,
    value: string,
  ): boolean {
    const c = findClient(realm, this.clientId);
    return !!c && matchesUriPattern(value, c.postLogoutRedirectUris);
  };
  // Keycloak's `typ` claims: "ID" in ID tokens (with azp, auth_time, acr), "Logout" in logout tokens.
  const IdTokenClass = provider.IdToken as unknown as { prototype: IdToken };
  const issueIdToken = IdTokenClass.prototype.issue;
  IdTokenClass.prototype.issue = function (this: IdToken, context) {
    if (context.use === 'idtoken') {
      // Keycloak puts auth_time and acr into every ID token, requested or not.
      const { auth_time: authTime, acr } = this.available;
      if (typeof authTime === 'number') this.set('auth_time', authTime);
      if (typeof acr === 'string') this.set('acr', acr);
      this.set('typ', 'ID');
      this.set('azp', this.client.clientId);
    } else if (context.use === 'logout') {
      this.set('typ', 'Logout');
    }
    return issueIdToken.call(this, context);
  };

  const remember = (token: AccessToken | ClientCredentials): void => {
    const t = token as AccessToken;
    issued.set(token.jti, {
      exp: epoch() + (token.expiration ?? realm.accessTokenLifespan) + 60,
      grantId: t.grantId,
      sessionUid: t.sessionUid,
      expiresWithSession: t.expiresWithSession,
      accountId: t.accountId,
      clientId: token.clientId,
    });
  };
  provider.on('access_token.issued', remember);
  provider.on('client_credentials.issued', remember);
  provider.on('server_error', (_ctx: unknown, err: Error) => {
    logger.error({ err: err.message }, 'oidc-provider server error');
  });
  provider.on('backchannel.error', (_ctx: unknown, err: Error, client: Client) => {
    logger.warn({ clientId: client.clientId, err: err.message }, 'back-channel logout failed');
  });

  // The password grant (Keycloak's "direct access grants"): only clients that enable it.
  provider.registerGrantType(
    'password',
    async (ctx: TokenEndpointGrantContext<{ username?: string; password?: string }>) => {
      const { client, params } = ctx.oidc;
      const realmClient = findClient(realm, client.clientId);
      if (!realmClient?.directAccessGrantsEnabled) {
        throw new errors.UnauthorizedClient('Client not allowed for direct access grants');
      }
      if (typeof params.username !== 'string' || !params.username) {
        throw new errors.InvalidRequest('Missing parameter: username');
      }
      const user = authenticate(
        realm,
        params.username,
        typeof params.password === 'string' ? params.password : '',
      );
      if (!user)
        throw new errors.CustomOIDCProviderError('invalid_grant', 'Invalid user credentials');

      const requested = (params.scope ?? '').split(' ').filter(Boolean);
      const unknown = requested.filter((s) => !SUPPORTED_SCOPES.includes(s));
      if (unknown.length)
        throw new errors.InvalidScope(`Invalid scopes: ${params.scope}`, unknown.join(' '));
      const scopes = [
        ...new Set([
          ...requested.filter((s) => s === 'openid'),
          ...DEFAULT_SCOPES,
          ...requested.filter((s) => s !== 'openid'),
        ]),
      ].filter((s) => s !== 'offline_access' || client.grantTypeAllowed('refresh_token'));
      const scope = scopes.join(' ');
      const { provider: p } = ctx.oidc;
      const server = resourceServer();
      const tokenScopes = scopes.filter((s) => TOKEN_SCOPES.includes(s));

      const grant = new p.Grant({ accountId: user.id, clientId: client.clientId });
      grant.addOIDCScope(scopes);
      grant.addResourceScope(ORCHESTRATOR_RESOURCE, tokenScopes);
      const grantId = await grant.save();
      ctx.oidc.entity('Grant', grant);
      const account = findAccount(ctx, user.id);
      ctx.oidc.entity('Account', account);

      const sid = randomUUID();
      const authTime = epoch();
      passwordLogins.set(ctx, { authTime, acr: '1' });

      const at = new p.AccessToken({
        accountId: user.id,
        client,
        grantId,
        gty: 'password',
        sid,
        expiresWithSession: false,
      });
      at.resourceServer = new p.ResourceServer(ORCHESTRATOR_RESOURCE, server);
      at.scope = grant.getResourceScopeFiltered(ORCHESTRATOR_RESOURCE, tokenScopes);
      ctx.oidc.entity('AccessToken', at);
      const accessToken = await at.save();

      let refreshToken: string | undefined;
      if (client.grantTypeAllowed('refresh_token')) {
        const rt = new p.RefreshToken({
          accountId: user.id,
          client,
          grantId,
          gty: 'password',
          scope,
          resource: ORCHESTRATOR_RESOURCE,
          sid,
          authTime,
          acr: '1',
          amr: ['pwd'],
          expiresWithSession: false,
          rotations: 0,
        });
        ctx.oidc.entity('RefreshToken', rt);
        refreshToken = await rt.save();
      }

      let idToken: string | undefined;
      if (scopes.includes('openid') && account) {
        const token = new p.IdToken(
          {
            ...(await account.claims('id_token', scope, {}, [])),
            acr: '1',
            amr: ['pwd'],
            auth_time: authTime,
          },
          { ctx },
        );
        Object.assign(token, { scope, mask: {}, rejected: [] });
        token.set('sid', sid);
        idToken = await token.issue({ use: 'idtoken' });
      }

      ctx.body = {
        access_token: accessToken,
        expires_in: at.expiration,
        ...(idToken ? { id_token: idToken } : {}),
        ...(refreshToken ? { refresh_token: refreshToken } : {}),
        scope: at.scope || undefined,
        token_type: at.tokenType,
      };
    },
    ['username', 'password', 'scope'],
  );

  // Keycloak's token endpoint details, on top of oidc-provider's.
  const tokenPath = ROUTES.token;
  provider.use(async (ctx, next) => {
    await next();
    if (ctx.path !== tokenPath || ctx.method !== 'POST') return;
    const body = ctx.body as Record<string, unknown> | undefined;
    if (!body || typeof body !== 'object') return;
    const oidc = (ctx as unknown as KoaContextWithOIDC).oidc;
    const grantType = (oidc?.params as { grant_type?: string } | undefined)?.grant_type;
    if (
      ctx.status === 400 &&
      body.error === 'invalid_request' &&
      body.error_description === 'requested grant type is not allowed for this client'
    ) {
      // RFC 6749 (and Keycloak) call this unauthorized_client.
      ctx.body = {
        error: 'unauthorized_client',
        error_description:
          grantType === 'password'
            ? 'Client not allowed for direct access grants'
            : grantType === 'client_credentials'
              ? 'Client not enabled to retrieve service account'
              : grantType === 'authorization_code'
                ? 'Client not allowed to exchange code'
                : 'Client not allowed to use this grant type',
      };
      return;
    }
    if (ctx.status === 200 && typeof body.access_token === 'string') {
      const rt = oidc?.entities.RefreshToken;
      const at = oidc?.entities.AccessToken;
      ctx.body = {
        ...body,
        refresh_expires_in: typeof body.refresh_token === 'string' && rt ? rt.expiration : 0,
        'not-before-policy': 0,
        ...(at?.sid ? { session_state: at.sid } : {}),
      };
    }
  });

  const providerCallback = provider.callback();

  function corsAllowed(client: RealmClient | undefined, origin: string): boolean {
    if (!client || origin === 'null') return false;
    let host: string;
    try {
      host = new URL(origin).hostname;
    } catch {
      return false;
    }
    if (host !== 'localhost' && host !== '127.0.0.1' && host !== '[::1]') return false;
    return client.anyWebOrigin || client.webOrigins.includes(origin);
  }

  // ---- Endpoints served here rather than by oidc-provider ------------------------------------

  /** Is this JWT one of our live access tokens? Returns its claims, or undefined. */
  async function liveAccessToken(
    token: string,
  ): Promise<(JWTPayload & Record<string, unknown>) | undefined> {
    let payload: JWTPayload & Record<string, unknown>;
    try {
      ({ payload } = await jwtVerify(token, verificationKey, { issuer, algorithms: ['RS256'] }));
    } catch {
      return undefined;
    }
    if (payload.typ !== 'Bearer' || typeof payload.jti !== 'string') return undefined;
    const known = issued.get(payload.jti);
    if (!known) return undefined;
    if (known.grantId && !(await provider.Grant.find(known.grantId))) return undefined;
    if (known.expiresWithSession) {
      const session = known.sessionUid
        ? await provider.Session.findByUid(known.sessionUid)
        : undefined;
      if (!session || session.accountId !== known.accountId) return undefined;
      if (known.clientId && session.grantIdFor(known.clientId) !== known.grantId) return undefined;
    }
    if (known.accountId && !findUserById(realm, known.accountId)?.enabled) return undefined;
    return payload;
  }

  /** Client authentication as Keycloak's client-secret authenticator: Basic or form post. */
  function clientFrom(
    req: IncomingMessage,
    form: Form,
  ): { client: RealmClient; authenticated: boolean } {
    let clientId = form.client_id;
    let secret = form.client_secret;
    const header = req.headers.authorization;
    if (header) {
      const m = /^Basic +([A-Za-z0-9+/=]+) *$/i.exec(header);
      const decoded = m?.[1] ? Buffer.from(m[1], 'base64').toString('utf8') : '';
      const i = decoded.indexOf(':');
      if (i < 0)
        throw new HttpError(401, 'invalid_client', 'Invalid client or Invalid client credentials');
      const fromHeader = formDecode(decoded.slice(0, i));
      if (clientId !== undefined && clientId !== fromHeader) {
        throw new HttpError(400, 'invalid_request', 'client_id mismatch');
      }
      clientId = fromHeader;
      secret = formDecode(decoded.slice(i + 1));
    }
    const client = clientId ? findClient(realm, clientId) : undefined;
    if (!client?.enabled)
      throw new HttpError(401, 'invalid_client', 'Invalid client or Invalid client credentials');
    if (client.publicClient) return { client, authenticated: false };
    if (!secret || !client.secret || !sameSecret(secret, client.secret)) {
      throw new HttpError(401, 'invalid_client', 'Invalid client or Invalid client credentials');
    }
    return { client, authenticated: true };
  }

  async function revokeGrant(grantId: string | undefined): Promise<void> {
    if (!grantId) return;
    await provider.AccessToken.revokeByGrantId(grantId);
    await provider.RefreshToken.revokeByGrantId(grantId);
    const grant = await provider.Grant.find(grantId);
    await grant?.destroy();
  }

  async function introspection(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method !== 'POST')
      throw new HttpError(405, 'invalid_request', 'HTTP method not allowed');
    const form = await readForm(req);
    const { authenticated } = clientFrom(req, form);
    if (!authenticated)
      throw new HttpError(
        401,
        'invalid_client',
        'Public client is not permitted to invoke token introspection endpoint',
      );
    if (!form.token) throw new HttpError(400, 'invalid_request', 'Token not provided.');
    if (form.token.split('.').length === 3) {
      const claims = await liveAccessToken(form.token);
      if (!claims) return sendJson(res, 200, { active: false });
      return sendJson(res, 200, {
        ...claims,
        client_id: claims.azp,
        ...(typeof claims.preferred_username === 'string'
          ? { username: claims.preferred_username }
          : {}),
        token_type: 'Bearer',
        active: true,
      });
    }
    const rt = await provider.RefreshToken.find(form.token);
    if (!rt?.isValid || !(rt.grantId && (await provider.Grant.find(rt.grantId)))) {
      return sendJson(res, 200, { active: false });
    }
    const user = findUserById(realm, rt.accountId);
    if (!user?.enabled) return sendJson(res, 200, { active: false });
    return sendJson(res, 200, {
      exp: rt.exp,
      iat: rt.iat,
      jti: rt.jti,
      iss: issuer,
      aud: issuer,
      sub: rt.accountId,
      typ: rt.scopes.has('offline_access') ? 'Offline' : 'Refresh',
      azp: rt.clientId,
      ...(rt.sid ? { sid: rt.sid } : {}),
      scope: rt.scope,
      client_id: rt.clientId,
      username: user.username,
      active: true,
    });
  }

  async function revocation(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method !== 'POST')
      throw new HttpError(405, 'invalid_request', 'HTTP method not allowed');
    const form = await readForm(req);
    const { client } = clientFrom(req, form);
    if (!form.token) throw new HttpError(400, 'invalid_request', 'Missing token parameter');
    if (form.token.split('.').length === 3) {
      let payload: JWTPayload | undefined;
      try {
        ({ payload } = await jwtVerify(form.token, verificationKey, {
          issuer,
          algorithms: ['RS256'],
        }));
      } catch (err) {
        if (err instanceof joseErrors.JWTExpired) payload = err.payload;
      }
      if (payload && typeof payload.jti === 'string') {
        if (payload.azp !== client.clientId)
          throw new HttpError(400, 'invalid_token', 'Unmatching clients');
        issued.delete(payload.jti);
      }
    } else {
      const rt = await provider.RefreshToken.find(form.token, { ignoreExpiration: true });
      if (rt) {
        if (rt.clientId !== client.clientId)
          throw new HttpError(400, 'invalid_token', 'Unmatching clients');
        await rt.destroy();
        await revokeGrant(rt.grantId);
      }
    }
    res.writeHead(200, { 'cache-control': 'no-store', 'content-length': '0' });
    res.end();
  }

  function userinfoCors(req: IncomingMessage, clientIds: string[]): Record<string, string> {
    const origin = req.headers.origin;
    if (!origin) return {};
    const allowed = clientIds.some((id) => corsAllowed(findClient(realm, id), origin));
    return allowed
      ? {
          'access-control-allow-origin': origin,
          'access-control-allow-credentials': 'true',
          vary: 'Origin',
        }
      : {};
  }

  async function userinfo(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method === 'OPTIONS') {
      const cors = userinfoCors(
        req,
        realm.clients.map((c) => c.clientId),
      );
      res.writeHead(cors['access-control-allow-origin'] ? 200 : 403, {
        ...cors,
        'access-control-allow-methods': 'GET, POST, OPTIONS',
        'access-control-allow-headers': 'Authorization, Content-Type',
        'access-control-max-age': '3600',
      });
      res.end();
      return;
    }
    if (req.method !== 'GET' && req.method !== 'POST') {
      throw new HttpError(405, 'invalid_request', 'HTTP method not allowed');
    }
    const challenge = (error: string, description: string) => ({
      'www-authenticate': `Bearer realm="${realm.name}", error="${error}", error_description="${description}"`,
    });
    const header = req.headers.authorization;
    const form = req.method === 'POST' ? await readForm(req) : {};
    const m = header ? /^Bearer +([^ ]+) *$/i.exec(header) : undefined;
    const token = m?.[1] ?? form.access_token;
    if (!token) {
      throw new HttpError(401, 'invalid_request', 'Token not provided', {
        'www-authenticate': `Bearer realm="${realm.name}"`,
      });
    }
    const claims = await liveAccessToken(token);
    if (!claims) {
      throw new HttpError(
        401,
        'invalid_token',
        'Token verification failed',
        challenge('invalid_token', 'Token verification failed'),
      );
    }
    const cors = userinfoCors(req, [String(claims.azp ?? '')]);
    const scopes = new Set(String(claims.scope ?? '').split(' '));
    if (!scopes.has('openid')) {
      throw new HttpError(403, 'insufficient_scope', 'Missing openid scope', {
        ...cors,
        ...challenge('insufficient_scope', 'Missing openid scope'),
      });
    }
    const user = findUserById(realm, String(claims.sub));
    if (!user)
      throw new HttpError(
        401,
        'invalid_token',
        'User not found',
        challenge('invalid_token', 'User not found'),
      );
    const { sub, name, given_name, family_name, preferred_username, email, email_verified } =
      profileClaims(user);
    sendJson(
      res,
      200,
      {
        sub,
        ...(scopes.has('email') ? { email_verified } : {}),
        ...(scopes.has('profile') ? { name, preferred_username, given_name, family_name } : {}),
        ...(scopes.has('email') ? { email } : {}),
        ...groupsClaim(findClient(realm, String(claims.azp ?? '')), user, 'userinfo'),
      },
      cors,
    );
  }

  /** Keycloak's realm info at /realms/<realm>. */
  function realmInfo(res: ServerResponse): void {
    const spki = verificationKey.export({ format: 'der', type: 'spki' }).toString('base64');
    sendJson(
      res,
      200,
      {
        realm: realm.name,
        public_key: spki,
        'token-service': `${issuer}/protocol/openid-connect`,
        'account-service': `${issuer}/account`,
        'tokens-not-before': 0,
      },
      { 'access-control-allow-origin': '*', 'cache-control': 'no-cache' },
    );
  }

  // ---- The login page ------------------------------------------------------------------------

  async function loginInteraction(
    req: IncomingMessage,
    res: ServerResponse,
    uid: string,
  ): Promise<void> {
    if (req.method !== 'GET' && req.method !== 'POST') {
      res.writeHead(405, { allow: 'GET, POST' });
      res.end();
      return;
    }
    let details: Interaction;
    try {
      details = await provider.interactionDetails(req, res);
    } catch {
      return sendHtml(
        res,
        400,
        errorPage(
          realmTitle,
          'Your login attempt timed out.',
          'Go back to the application and sign in again.',
        ),
      );
    }
    // The interaction cookie (path-bound to this URL, SameSite=Lax) must name this very uid.
    if (details.uid !== uid) {
      return sendHtml(
        res,
        400,
        errorPage(
          realmTitle,
          'Your login attempt timed out.',
          'Go back to the application and sign in again.',
        ),
      );
    }
    const clientId = String(details.params.client_id ?? '');
    const realmClient = findClient(realm, clientId);
    const clientName = realmClient?.name ?? clientId;

    if (details.prompt.name !== 'login') {
      // Keycloak asks no consent of first-party clients; loadExistingGrant normally grants
      // everything first, so this is only a fallback.
      const accountId = details.session?.accountId;
      if (!accountId)
        return sendHtml(res, 400, errorPage(realmTitle, 'Your login attempt timed out.'));
      const grant =
        (details.grantId ? await provider.Grant.find(details.grantId) : undefined) ??
        new provider.Grant({ accountId, clientId });
      const missing = details.prompt.details as {
        missingOIDCScope?: string[];
        missingOIDCClaims?: string[];
        missingResourceScopes?: Record<string, string[]>;
      };
      if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope);
      if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
      for (const [indicator, scopes] of Object.entries(missing.missingResourceScopes ?? {})) {
        grant.addResourceScope(indicator, scopes);
      }
      const grantId = await grant.save();
      await provider.interactionFinished(
        req,
        res,
        { consent: { grantId } },
        { mergeWithLastSubmission: true },
      );
      return;
    }

    const action = `${mount}/login/${encodeURIComponent(uid)}`;
    if (req.method === 'GET') {
      const hint =
        typeof details.params.login_hint === 'string' ? details.params.login_hint : undefined;
      return sendHtml(res, 200, loginPage({ realmTitle, action, clientName, username: hint }));
    }

    // Browsers say where a form post comes from: refuse other sites' posts (on top of the
    // SameSite=Lax interaction cookie, which such posts do not carry anyway).
    const origin = req.headers.origin;
    if (
      origin !== undefined &&
      origin !== 'null' &&
      origin !== `${issuerUrl.protocol}//${req.headers.host ?? ''}`
    ) {
      return sendHtml(
        res,
        403,
        errorPage(realmTitle, 'This sign-in form was posted from another site.'),
      );
    }
    let form: Form;
    try {
      form = await readForm(req, 16 * 1024);
    } catch {
      return sendHtml(
        res,
        400,
        loginPage({ realmTitle, action, clientName, error: 'Invalid request.' }),
      );
    }
    const username = form.username ?? '';
    const user = authenticate(realm, username, form.password ?? '');
    if (!user) {
      logger.info({ clientId, username: username.slice(0, 100) }, 'sign-in refused');
      return sendHtml(
        res,
        200,
        loginPage({
          realmTitle,
          action,
          clientName,
          username,
          error: 'Invalid username or password.',
        }),
      );
    }
    await provider.interactionFinished(
      req,
      res,
      { login: { accountId: user.id, acr: '1', amr: ['pwd'], remember: false, ts: epoch() } },
      { mergeWithLastSubmission: false },
    );
  }

  // ---- Routing -------------------------------------------------------------------------------

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://dev-idp.invalid');
    const path = url.pathname;
    if (path !== mount && !path.startsWith(`${mount}/`)) {
      return sendJson(res, 404, { error: 'Unable to find matching target resource method' });
    }
    const sub = path.slice(mount.length);
    try {
      if (sub === '' || sub === '/') {
        if (req.method !== 'GET' && req.method !== 'HEAD')
          throw new HttpError(405, 'invalid_request', 'HTTP method not allowed');
        return realmInfo(res);
      }
      if (sub.startsWith('/login/')) return await loginInteraction(req, res, sub.slice(7));
      if (sub === ROUTES.userinfo) return await userinfo(req, res);
      if (sub === ROUTES.introspection) return await introspection(req, res);
      if (sub === ROUTES.revocation) return await revocation(req, res);
    } catch (err) {
      if (err instanceof HttpError) {
        return sendJson(
          res,
          err.status,
          { error: err.error, error_description: err.description },
          err.headers,
        );
      }
      throw err;
    }
    // The discovery document names the issuer's host (as Keycloak with a fixed hostname does),
    // whichever host name the request used.
    if (sub === DISCOVERY) req.headers.host = issuerUrl.host;
    (req as IncomingMessage & { originalUrl?: string }).originalUrl = req.url;
    req.url = (req.url ?? '/').slice(mount.length) || '/';
    providerCallback(req, res);
  }

  const callback = (req: IncomingMessage, res: ServerResponse): void => {
    handle(req, res).catch((err: unknown) => {
      logger.error({ err: (err as Error).message }, 'request failed');
      if (!res.headersSent)
        sendJson(res, 500, { error: 'server_error', error_description: 'Unexpected error' });
      else res.destroy();
    });
  };

  return {
    issuer,
    signingKey: { kid: key.jwk.kid, source: key.source },
    callback,
    async close() {
      clearInterval(sweep);
      store.close();
      issued.clear();
    },
  };
}

/** createDevIdp behind node:http. With port 0 the issuer follows the port it was given. */
export async function startDevIdp(options: StartDevIdpOptions): Promise<RunningDevIdp> {
  const host = options.host ?? '127.0.0.1';
  // Requests wait on the provider, which needs the bound port first when the port is 0.
  const ready: { handler?: DevIdp['callback'] } = {};
  const server = createServer((req, res) => {
    if (ready.handler) ready.handler(req, res);
    else sendJson(res, 503, { error: 'temporarily_unavailable', error_description: 'Starting' });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  const urlHost = host.includes(':') ? `[${host}]` : host === '0.0.0.0' ? 'localhost' : host;
  const url = `http://${urlHost}:${port}`;
  let idp: DevIdp;
  try {
    idp = await createDevIdp({ ...options, issuerBaseUrl: options.issuerBaseUrl ?? url });
  } catch (err) {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    throw err;
  }
  ready.handler = idp.callback;
  return {
    issuer: idp.issuer,
    signingKey: idp.signingKey,
    url,
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await idp.close();
    },
  };
}
