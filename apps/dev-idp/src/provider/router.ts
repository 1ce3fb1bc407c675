/**
 * One request handler for the realm: the endpoints served here first, everything else to
 * oidc-provider with the issuer's path taken off (it is mounted at the root of its own app).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { pinDiscoveryHost } from './discovery.ts';
import { HttpError, sendJson, type Endpoint } from './http.ts';
import type { LoginInteraction } from './interactions.ts';
import { ROUTES } from './keycloak.ts';
import type { IdpState } from './state.ts';

export interface Routes {
  realmInfo: (res: ServerResponse) => void;
  login: LoginInteraction;
  userinfo: Endpoint;
  introspection: Endpoint;
  revocation: Endpoint;
  provider: (req: IncomingMessage, res: ServerResponse) => void;
}

export function router(
  state: IdpState,
  routes: Routes,
): (req: IncomingMessage, res: ServerResponse) => void {
  const { mount, logger } = state;

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
        return routes.realmInfo(res);
      }
      if (sub.startsWith('/login/')) return await routes.login(req, res, sub.slice(7));
      if (sub === ROUTES.userinfo) return await routes.userinfo(req, res);
      if (sub === ROUTES.introspection) return await routes.introspection(req, res);
      if (sub === ROUTES.revocation) return await routes.revocation(req, res);
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
    pinDiscoveryHost(state, req, sub);
    (req as IncomingMessage & { originalUrl?: string }).originalUrl = req.url;
    req.url = (req.url ?? '/').slice(mount.length) || '/';
    routes.provider(req, res);
  }

  return (req, res) => {
    handle(req, res).catch((err: unknown) => {
      logger.error({ err: (err as Error).message }, 'request failed');
      if (!res.headersSent)
        sendJson(res, 500, { error: 'server_error', error_description: 'Unexpected error' });
      else res.destroy();
    });
  };
}
