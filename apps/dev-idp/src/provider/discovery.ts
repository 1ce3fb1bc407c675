/**
 * What clients read to find this provider: Keycloak's realm info at the issuer itself, and the
 * discovery document (oidc-provider's) naming the issuer's host.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendJson } from './http.ts';
import type { IdpState } from './state.ts';

const DISCOVERY = '/.well-known/openid-configuration';

/** Keycloak's realm info at /realms/<realm>. */
export function realmInfo(state: IdpState): (res: ServerResponse) => void {
  const { realm, issuer, verificationKey } = state;
  return (res) => {
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
  };
}

/**
 * The discovery document names the issuer's host (as Keycloak with a fixed hostname does),
 * whichever host name the request used. `sub` is the path below the issuer.
 */
export function pinDiscoveryHost(state: IdpState, req: IncomingMessage, sub: string): void {
  if (sub === DISCOVERY) req.headers.host = state.issuerUrl.host;
}
