/**
 * POST /auth/backchannel-logout: OpenID Connect Back-Channel Logout. The provider posts a signed
 * `logout_token` when a session ends there (sign-out elsewhere, an administrator ending it, a
 * user offboarded); every session of ours that belongs to it ends at once.
 *
 * 200: done (also when there was nothing to end); 400: not a valid logout token; 503: the
 * provider's keys or the session store could not be reached. Never cached.
 */
import type { NextRequest } from 'next/server';

import { getProviderKeys, LogoutTokenError, verifyLogoutToken } from '@/lib/auth/backchannel';
import { getAuthConfig } from '@/lib/auth/config';
import { jsonNoStore } from '@/lib/auth/responses';
import { getSessionStore } from '@/lib/auth/session-store';

const MAX_BODY = 64 * 1024;

const invalid = (description: string) =>
  jsonNoStore(400, { error: 'invalid_request', error_description: description });

export async function POST(request: NextRequest): Promise<Response> {
  const type = request.headers.get('content-type')?.split(';')[0]?.trim().toLowerCase();
  if (type !== 'application/x-www-form-urlencoded') {
    return invalid('expected an application/x-www-form-urlencoded body');
  }
  const body = await request.text();
  if (body.length > MAX_BODY) return invalid('the request body is too large');
  const token = new URLSearchParams(body).get('logout_token');
  if (!token) return invalid('logout_token is missing');

  try {
    const config = getAuthConfig();
    const claims = await verifyLogoutToken(token, {
      issuer: config.issuer,
      clientId: config.clientId,
      keys: await getProviderKeys(config),
    });
    const store = getSessionStore(config);
    let ended: number;
    if (claims.sid) {
      ended = await store.deleteByKeycloakSid(claims.sid);
    } else if (store.deleteBySubject && claims.sub) {
      ended = await store.deleteBySubject(claims.sub);
    } else {
      return invalid('logout tokens without sid are not supported by this session store');
    }
    console.warn(`back-channel logout: ended ${ended} session(s)`);
    return new Response(null, { status: 200, headers: { 'cache-control': 'no-store' } });
  } catch (err) {
    if (err instanceof LogoutTokenError) {
      console.warn(`back-channel logout refused: ${err.message}`);
      return invalid(err.message);
    }
    console.error('back-channel logout failed:', err);
    return jsonNoStore(503, {
      error: 'temporarily_unavailable',
      error_description: 'the logout could not be processed; try again',
    });
  }
}
