/** What goes into tokens: Keycloak's claim set, token shape and `typ` claims. */
import { createHash } from 'node:crypto';
import type Provider from 'oidc-provider';
import type {
  AccessToken,
  ClientCredentials,
  Configuration,
  IdToken,
  KoaContextWithOIDC,
  ResourceServer,
} from 'oidc-provider';
import { accessTokenClaims, findClient, findUserById, type Realm } from '../realm.ts';
import { ORCHESTRATOR_AUDIENCE, TOKEN_SCOPES } from './keycloak.ts';
import type { IdpState } from './state.ts';

type Claims = NonNullable<Configuration['claims']>;
type ExtraTokenClaims = NonNullable<Configuration['extraTokenClaims']>;
type JwtCustomizer = NonNullable<NonNullable<Configuration['formats']>['customizers']>['jwt'];

/** Which claims each scope releases; the groups claims under `openid`, as Keycloak's mappers do. */
export function claimsByScope(realm: Realm): Claims {
  const groupClaimNames = [
    ...new Set(realm.clients.map((c) => c.groupsMapper?.claimName).filter((n): n is string => !!n)),
  ];
  return {
    openid: ['sub', ...groupClaimNames],
    profile: ['name', 'given_name', 'family_name', 'preferred_username'],
    email: ['email', 'email_verified'],
    acr: null,
    sid: null,
    auth_time: null,
    iss: null,
  };
}

/** Every resource indicator means the orchestrator, whose access tokens are Keycloak's JWTs. */
export function resourceServer(realm: Realm): ResourceServer {
  return {
    scope: TOKEN_SCOPES.join(' '),
    audience: ORCHESTRATOR_AUDIENCE,
    accessTokenFormat: 'jwt',
    accessTokenTTL: realm.accessTokenLifespan,
    jwt: { sign: { alg: 'RS256' } },
  };
}

/** auth_time and acr of the login behind the token being issued. */
function loginOf(
  state: IdpState,
  ctx: KoaContextWithOIDC | undefined,
): { authTime?: number; acr?: string } {
  if (!ctx?.oidc) return {};
  const password = state.passwordLogins.get(ctx);
  if (password) return password;
  const source = ctx.oidc.entities.AuthorizationCode ?? ctx.oidc.entities.RefreshToken;
  return { authTime: source?.authTime, acr: source?.acr };
}

export function extraTokenClaims(state: IdpState): ExtraTokenClaims {
  const { realm } = state;
  return (ctx, token) => {
    const login = loginOf(state, ctx);
    if (token.kind === 'AccessToken') {
      const at = token as AccessToken;
      const user = findUserById(realm, at.accountId);
      if (!user) return undefined;
      return {
        ...(login.authTime !== undefined ? { auth_time: login.authTime } : {}),
        ...accessTokenClaims(realm, user, findClient(realm, at.clientId ?? ''), at.clientId ?? ''),
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
  };
}

/** A stable UUID for a name (service-account subjects: the export gives them no id). */
function nameUuid(name: string): string {
  const h = createHash('sha1').update(`afenda-dev-idp:${name}`).digest('hex');
  const variant = ((parseInt(h.slice(16, 18), 16) & 0x3f) | 0x80).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${variant}${h.slice(18, 20)}-${h.slice(20, 32)}`;
}

export function keycloakJwt(realm: Realm): JwtCustomizer {
  return (_ctx, token, jwt) => {
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
  };
}

/** Keycloak's `typ` claims: "ID" in ID tokens (with azp, auth_time, acr), "Logout" in logout tokens. */
export function keycloakIdTokens(provider: Provider): void {
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
}
