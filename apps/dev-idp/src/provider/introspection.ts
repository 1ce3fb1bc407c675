/**
 * Token introspection and revocation, served here rather than by oidc-provider: its JWT access
 * tokens are not stored, so only we know whether one is still live, and Keycloak's clients
 * expect Keycloak's answers and wording.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { errors as joseErrors, jwtVerify, type JWTPayload } from 'jose';
import type Provider from 'oidc-provider';
import { findClient, findUserById, type RealmClient } from '../realm.ts';
import { HttpError, formDecode, readForm, sendJson, type Endpoint, type Form } from './http.ts';
import type { IdpState } from './state.ts';

const digest = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();
const sameSecret = (a: string, b: string): boolean => timingSafeEqual(digest(a), digest(b));

/** Is this JWT one of our live access tokens? Returns its claims, or undefined. */
export async function liveAccessToken(
  state: IdpState,
  provider: Provider,
  token: string,
): Promise<(JWTPayload & Record<string, unknown>) | undefined> {
  const { realm, issuer, verificationKey, issued } = state;
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
  state: IdpState,
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
  const client = clientId ? findClient(state.realm, clientId) : undefined;
  if (!client?.enabled)
    throw new HttpError(401, 'invalid_client', 'Invalid client or Invalid client credentials');
  if (client.publicClient) return { client, authenticated: false };
  if (!secret || !client.secret || !sameSecret(secret, client.secret)) {
    throw new HttpError(401, 'invalid_client', 'Invalid client or Invalid client credentials');
  }
  return { client, authenticated: true };
}

export function introspection(state: IdpState, provider: Provider): Endpoint {
  const { realm, issuer } = state;
  return async (req, res) => {
    if (req.method !== 'POST')
      throw new HttpError(405, 'invalid_request', 'HTTP method not allowed');
    const form = await readForm(req);
    const { authenticated } = clientFrom(state, req, form);
    if (!authenticated)
      throw new HttpError(
        401,
        'invalid_client',
        'Public client is not permitted to invoke token introspection endpoint',
      );
    if (!form.token) throw new HttpError(400, 'invalid_request', 'Token not provided.');
    if (form.token.split('.').length === 3) {
      const claims = await liveAccessToken(state, provider, form.token);
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
  };
}

async function revokeGrant(provider: Provider, grantId: string | undefined): Promise<void> {
  if (!grantId) return;
  await provider.AccessToken.revokeByGrantId(grantId);
  await provider.RefreshToken.revokeByGrantId(grantId);
  const grant = await provider.Grant.find(grantId);
  await grant?.destroy();
}

export function revocation(state: IdpState, provider: Provider): Endpoint {
  const { issuer, verificationKey, issued } = state;
  return async (req, res) => {
    if (req.method !== 'POST')
      throw new HttpError(405, 'invalid_request', 'HTTP method not allowed');
    const form = await readForm(req);
    const { client } = clientFrom(state, req, form);
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
        issued.forget(payload.jti);
      }
    } else {
      const rt = await provider.RefreshToken.find(form.token, { ignoreExpiration: true });
      if (rt) {
        if (rt.clientId !== client.clientId)
          throw new HttpError(400, 'invalid_token', 'Unmatching clients');
        await rt.destroy();
        await revokeGrant(provider, rt.grantId);
      }
    }
    res.writeHead(200, { 'cache-control': 'no-store', 'content-length': '0' });
    res.end();
  };
}
