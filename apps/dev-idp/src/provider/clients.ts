/** The realm export's clients as oidc-provider sees them, with Keycloak's rules for their URIs. */
import type Provider from 'oidc-provider';
import type { Client, ClientMetadata } from 'oidc-provider';
import { findClient, matchesUriPattern, type Realm, type RealmClient } from '../realm.ts';

/** How a realm client looks to oidc-provider. */
export function clientMetadata(c: RealmClient): ClientMetadata | undefined {
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

/**
 * Keycloak's redirect URI patterns: exact, or a prefix ending in `*`; same for the post-logout
 * redirect URIs of the `post.logout.redirect.uris` attribute. oidc-provider only compares
 * exactly, so its Client class is taught the patterns (this provider's own class: each
 * `new Provider` has its own).
 */
export function allowKeycloakUriPatterns(provider: Provider, realm: Realm): void {
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
}

/** CORS: the localhost origins among the client's webOrigins (Keycloak's web origins). */
export function corsAllowed(client: RealmClient | undefined, origin: string): boolean {
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
