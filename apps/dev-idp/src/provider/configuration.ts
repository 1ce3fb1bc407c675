/** oidc-provider configured as Keycloak's realm; the parts it names live beside this file. */
import { randomBytes } from 'node:crypto';
import type { ClientMetadata, Configuration } from 'oidc-provider';
import { errorPage, pageHeaders } from '../pages.ts';
import { findClient } from '../realm.ts';
import type { FindAccount } from './accounts.ts';
import { claimsByScope, extraTokenClaims, keycloakJwt, resourceServer } from './claims.ts';
import { clientMetadata, corsAllowed } from './clients.ts';
import { loadExistingGrant } from './interactions.ts';
import { OFFLINE_IDLE, ORCHESTRATOR_RESOURCE, ROUTES, SUPPORTED_SCOPES } from './keycloak.ts';
import { backchannelFetch, rpInitiatedLogout } from './logout.ts';
import { epoch, type IdpState } from './state.ts';

export function configuration(state: IdpState, findAccount: FindAccount): Configuration {
  const { realm, key, mount, secure, realmTitle } = state;
  return {
    adapter: state.store.adapter(),
    clients: realm.clients.map(clientMetadata).filter((c): c is ClientMetadata => !!c),
    jwks: { keys: [key.jwk] },
    findAccount,
    claims: claimsByScope(realm),
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
    loadExistingGrant,
    extraTokenClaims: extraTokenClaims(state),
    formats: { customizers: { jwt: keycloakJwt(realm) } },
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
      rpInitiatedLogout: rpInitiatedLogout(state),
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
        getResourceServerInfo: async () => resourceServer(realm),
      },
    },
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
    fetch: backchannelFetch,
  };
}
