/**
 * UserInfo, served here rather than by oidc-provider: only we know whether a JWT access token is
 * still live, and Keycloak answers with its own claim set, challenges and CORS.
 */
import type { IncomingMessage } from 'node:http';
import type Provider from 'oidc-provider';
import { findClient, findUserById, groupsClaim, profileClaims, type Realm } from '../realm.ts';
import { corsAllowed } from './clients.ts';
import { HttpError, readForm, sendJson, type Endpoint } from './http.ts';
import { liveAccessToken } from './introspection.ts';
import type { IdpState } from './state.ts';

function userinfoCors(
  realm: Realm,
  req: IncomingMessage,
  clientIds: string[],
): Record<string, string> {
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

export function userinfo(state: IdpState, provider: Provider): Endpoint {
  const { realm } = state;
  return async (req, res) => {
    if (req.method === 'OPTIONS') {
      const cors = userinfoCors(
        realm,
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
    const claims = await liveAccessToken(state, provider, token);
    if (!claims) {
      throw new HttpError(
        401,
        'invalid_token',
        'Token verification failed',
        challenge('invalid_token', 'Token verification failed'),
      );
    }
    const cors = userinfoCors(realm, req, [String(claims.azp ?? '')]);
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
  };
}
