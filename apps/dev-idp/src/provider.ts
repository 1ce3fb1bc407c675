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
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import Provider from 'oidc-provider';
import type { SigningKey } from './keys.ts';
import { accountFinder } from './provider/accounts.ts';
import { keycloakIdTokens } from './provider/claims.ts';
import { allowKeycloakUriPatterns } from './provider/clients.ts';
import { configuration } from './provider/configuration.ts';
import { realmInfo } from './provider/discovery.ts';
import { sendJson } from './provider/http.ts';
import { loginInteraction } from './provider/interactions.ts';
import { introspection, revocation } from './provider/introspection.ts';
import { logBackchannelErrors } from './provider/logout.ts';
import { router } from './provider/router.ts';
import { loadState, type DevIdpOptions } from './provider/state.ts';
import {
  keycloakTokenResponses,
  registerPasswordGrant,
  rememberIssuedTokens,
} from './provider/token.ts';
import { userinfo } from './provider/userinfo.ts';

export { ROUTES } from './provider/keycloak.ts';
export type { DevIdpLogger, DevIdpOptions } from './provider/state.ts';

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

/**
 * A request handler for one realm. The parts under ./provider/ each teach oidc-provider one piece
 * of Keycloak or serve one endpoint; they share only `state`, built here once.
 */
export async function createDevIdp(options: DevIdpOptions): Promise<DevIdp> {
  const state = await loadState(options);
  const findAccount = accountFinder(state.realm);

  const provider = new Provider(state.issuer, configuration(state, findAccount));
  provider.proxy = state.secure;
  allowKeycloakUriPatterns(provider, state.realm);
  keycloakIdTokens(provider);
  rememberIssuedTokens(provider, state);
  provider.on('server_error', (_ctx: unknown, err: Error) => {
    state.logger.error({ err: err.message }, 'oidc-provider server error');
  });
  logBackchannelErrors(provider, state.logger);
  registerPasswordGrant(provider, state, findAccount);
  keycloakTokenResponses(provider);

  const callback = router(state, {
    realmInfo: realmInfo(state),
    login: loginInteraction(state, provider),
    userinfo: userinfo(state, provider),
    introspection: introspection(state, provider),
    revocation: revocation(state, provider),
    provider: provider.callback(),
  });

  return {
    issuer: state.issuer,
    signingKey: { kid: state.key.jwk.kid, source: state.key.source },
    callback,
    async close() {
      state.issued.close();
      state.store.close();
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
