/**
 * Wiring Synapse to the orchestrator: the application-service registration (the orchestrator's
 * URL, random tokens, the namespaces it manages) and the homeserver.yaml fragment that lists it
 * and signs people in through Keycloak. `npx afenda connect matrix` writes both (docs/chat.md); the
 * Synapse suites build their throw-away homeservers from the same functions.
 */
import { randomBytes } from 'node:crypto';

export const APPSERVICE_ID = 'afenda-orchestrator';
/** Aliases of managed rooms: #afenda_<tenant id>_<kind>:server (the AS owns them exclusively). */
export const ALIAS_PREFIX = 'afenda_';

export interface AppserviceRegistration {
  id: string;
  url: string | null;
  as_token: string;
  hs_token: string;
  sender_localpart: string;
  rate_limited: boolean;
  receive_ephemeral: boolean;
  namespaces: {
    users: Array<{ regex: string; exclusive: boolean }>;
    aliases: Array<{ regex: string; exclusive: boolean }>;
    rooms: Array<{ regex: string; exclusive: boolean }>;
  };
}

const escapeRegex = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

export const randomToken = () => randomBytes(32).toString('base64url');

/**
 * The orchestrator's registration. Users: every local user, not exclusively (people also sign
 * in through Keycloak and keep the account the orchestrator provisioned for them); aliases: the
 * managed rooms', exclusively.
 */
export function buildRegistration(input: {
  /** The orchestrator's public URL, e.g. https://api.example.org */
  orchestratorUrl: string;
  serverName: string;
  asToken: string;
  hsToken: string;
  botLocalpart: string;
}): AppserviceRegistration {
  const server = escapeRegex(input.serverName);
  return {
    id: APPSERVICE_ID,
    url: `${input.orchestratorUrl.replace(/\/+$/, '')}/api/v1/webhooks/matrix`,
    as_token: input.asToken,
    hs_token: input.hsToken,
    sender_localpart: input.botLocalpart,
    rate_limited: false,
    receive_ephemeral: false,
    namespaces: {
      users: [{ regex: `@.*:${server}`, exclusive: false }],
      aliases: [{ regex: `#${ALIAS_PREFIX}.*:${server}`, exclusive: true }],
      rooms: [],
    },
  };
}

/**
 * Synapse's `oidc_providers` entry for Keycloak: the Matrix localpart is the Keycloak username
 * (as the orchestrator provisions it, see localpartOf), and an account the orchestrator already
 * created is the one the person gets.
 */
export function keycloakOidcProvider(input: {
  issuer: string;
  clientId: string;
  clientSecret: string;
}) {
  return {
    idp_id: 'keycloak',
    idp_name: 'Keycloak',
    issuer: input.issuer,
    client_id: input.clientId,
    client_secret: input.clientSecret,
    client_auth_method: 'client_secret_basic',
    scopes: ['openid', 'profile'],
    allow_existing_users: true,
    // Synapse (authlib) only talks to an https issuer unless told otherwise: the development
    // identity provider and a local Keycloak are plain http.
    ...(input.issuer.startsWith('http://') ? { skip_verification: true } : {}),
    user_mapping_provider: {
      config: {
        localpart_template: '{{ user.preferred_username }}',
        display_name_template: '{{ user.name }}',
      },
    },
  };
}

/**
 * Keycloak's username as a Matrix localpart, Synapse's own way (map_username_to_mxid_localpart):
 * lower case; a..z 0..9 . _ - / kept; anything else as =xx (its UTF-8 bytes in hex).
 */
export function localpartOf(username: string): string {
  let out = '';
  for (const byte of Buffer.from(username.toLowerCase(), 'utf8')) {
    const c = String.fromCharCode(byte);
    out += /[a-z0-9._\-/]/.test(c) ? c : `=${byte.toString(16).padStart(2, '0')}`;
  }
  return out;
}

export const userIdOf = (username: string, serverName: string) =>
  `@${localpartOf(username)}:${serverName}`;
