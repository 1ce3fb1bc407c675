/** What Keycloak fixes and clients rely on: its paths, its audience, its scopes, its lifetimes. */

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

/** The audience Keycloak's audience mapper puts into the Afenda clients' access tokens. */
export const ORCHESTRATOR_AUDIENCE = 'afenda-orchestrator';
/** oidc-provider's resource indicator for it (internal; Keycloak ignores `resource`). */
export const ORCHESTRATOR_RESOURCE = 'urn:afenda:orchestrator';
/** Keycloak's default client scopes that appear in tokens' `scope`. */
export const DEFAULT_SCOPES = ['profile', 'email'];
/** In access tokens' `scope` (the rest are Keycloak scopes with include.in.token.scope=false). */
export const TOKEN_SCOPES = ['openid', 'profile', 'email', 'offline_access'];
export const SUPPORTED_SCOPES = [...TOKEN_SCOPES, 'roles', 'web-origins', 'acr', 'basic'];
/** Keycloak's offline session idle timeout default (30 days). */
export const OFFLINE_IDLE = 30 * 24 * 3600;
