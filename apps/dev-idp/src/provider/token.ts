/**
 * The token endpoint, oidc-provider's, with what Keycloak adds: the password grant for clients
 * with direct access grants, and Keycloak's response fields and error wording.
 */
import { randomUUID } from 'node:crypto';
import type Provider from 'oidc-provider';
import { errors, type KoaContextWithOIDC, type TokenEndpointGrantContext } from 'oidc-provider';
import { findClient } from '../realm.ts';
import { checkSignIn } from './throttle.ts';
import type { FindAccount } from './accounts.ts';
import { resourceServer } from './claims.ts';
import {
  DEFAULT_SCOPES,
  ORCHESTRATOR_RESOURCE,
  ROUTES,
  SUPPORTED_SCOPES,
  TOKEN_SCOPES,
} from './keycloak.ts';
import { epoch, type IdpState } from './state.ts';

/** Introspection and UserInfo know a JWT access token only if it was remembered here. */
export function rememberIssuedTokens(provider: Provider, state: IdpState): void {
  const remember = state.issued.remember.bind(state.issued);
  provider.on('access_token.issued', remember);
  provider.on('client_credentials.issued', remember);
}

/** The password grant (Keycloak's "direct access grants"): only clients that enable it. */
export function registerPasswordGrant(
  provider: Provider,
  state: IdpState,
  findAccount: FindAccount,
): void {
  const { realm, passwordLogins } = state;
  provider.registerGrantType(
    'password',
    async (ctx: TokenEndpointGrantContext<{ username?: string; password?: string }>) => {
      const { client, params } = ctx.oidc;
      const realmClient = findClient(realm, client.clientId);
      if (!realmClient?.directAccessGrantsEnabled) {
        throw new errors.UnauthorizedClient('Client not allowed for direct access grants');
      }
      if (typeof params.username !== 'string' || !params.username) {
        throw new errors.InvalidRequest('Missing parameter: username');
      }
      const user = checkSignIn(
        state,
        params.username,
        typeof params.password === 'string' ? params.password : '',
        ctx.req.socket.remoteAddress,
      );
      if (!user)
        throw new errors.CustomOIDCProviderError('invalid_grant', 'Invalid user credentials');

      const requested = (params.scope ?? '').split(' ').filter(Boolean);
      const unknown = requested.filter((s) => !SUPPORTED_SCOPES.includes(s));
      if (unknown.length)
        throw new errors.InvalidScope(`Invalid scopes: ${params.scope}`, unknown.join(' '));
      const scopes = [
        ...new Set([
          ...requested.filter((s) => s === 'openid'),
          ...DEFAULT_SCOPES,
          ...requested.filter((s) => s !== 'openid'),
        ]),
      ].filter((s) => s !== 'offline_access' || client.grantTypeAllowed('refresh_token'));
      const scope = scopes.join(' ');
      const { provider: p } = ctx.oidc;
      const server = resourceServer(realm);
      const tokenScopes = scopes.filter((s) => TOKEN_SCOPES.includes(s));

      const grant = new p.Grant({ accountId: user.id, clientId: client.clientId });
      grant.addOIDCScope(scopes);
      grant.addResourceScope(ORCHESTRATOR_RESOURCE, tokenScopes);
      const grantId = await grant.save();
      ctx.oidc.entity('Grant', grant);
      const account = findAccount(ctx, user.id);
      ctx.oidc.entity('Account', account);

      const sid = randomUUID();
      const authTime = epoch();
      passwordLogins.set(ctx, { authTime, acr: '1' });

      const at = new p.AccessToken({
        accountId: user.id,
        client,
        grantId,
        gty: 'password',
        sid,
        expiresWithSession: false,
      });
      at.resourceServer = new p.ResourceServer(ORCHESTRATOR_RESOURCE, server);
      at.scope = grant.getResourceScopeFiltered(ORCHESTRATOR_RESOURCE, tokenScopes);
      ctx.oidc.entity('AccessToken', at);
      const accessToken = await at.save();

      let refreshToken: string | undefined;
      if (client.grantTypeAllowed('refresh_token')) {
        const rt = new p.RefreshToken({
          accountId: user.id,
          client,
          grantId,
          gty: 'password',
          scope,
          resource: ORCHESTRATOR_RESOURCE,
          sid,
          authTime,
          acr: '1',
          amr: ['pwd'],
          expiresWithSession: false,
          rotations: 0,
        });
        ctx.oidc.entity('RefreshToken', rt);
        refreshToken = await rt.save();
      }

      let idToken: string | undefined;
      if (scopes.includes('openid') && account) {
        const token = new p.IdToken(
          {
            ...(await account.claims('id_token', scope, {}, [])),
            acr: '1',
            amr: ['pwd'],
            auth_time: authTime,
          },
          { ctx },
        );
        Object.assign(token, { scope, mask: {}, rejected: [] });
        token.set('sid', sid);
        idToken = await token.issue({ use: 'idtoken' });
      }

      ctx.body = {
        access_token: accessToken,
        expires_in: at.expiration,
        ...(idToken ? { id_token: idToken } : {}),
        ...(refreshToken ? { refresh_token: refreshToken } : {}),
        scope: at.scope || undefined,
        token_type: at.tokenType,
      };
    },
    ['username', 'password', 'scope'],
  );
}

/** Keycloak's token endpoint details, on top of oidc-provider's. */
export function keycloakTokenResponses(provider: Provider): void {
  const tokenPath = ROUTES.token;
  provider.use(async (ctx, next) => {
    await next();
    if (ctx.path !== tokenPath || ctx.method !== 'POST') return;
    const body = ctx.body as Record<string, unknown> | undefined;
    if (!body || typeof body !== 'object') return;
    const oidc = (ctx as unknown as KoaContextWithOIDC).oidc;
    const grantType = (oidc?.params as { grant_type?: string } | undefined)?.grant_type;
    if (
      ctx.status === 400 &&
      body.error === 'invalid_request' &&
      body.error_description === 'requested grant type is not allowed for this client'
    ) {
      // RFC 6749 (and Keycloak) call this unauthorized_client.
      ctx.body = {
        error: 'unauthorized_client',
        error_description:
          grantType === 'password'
            ? 'Client not allowed for direct access grants'
            : grantType === 'client_credentials'
              ? 'Client not enabled to retrieve service account'
              : grantType === 'authorization_code'
                ? 'Client not allowed to exchange code'
                : 'Client not allowed to use this grant type',
      };
      return;
    }
    if (ctx.status === 200 && typeof body.access_token === 'string') {
      const rt = oidc?.entities.RefreshToken;
      const at = oidc?.entities.AccessToken;
      ctx.body = {
        ...body,
        refresh_expires_in: typeof body.refresh_token === 'string' && rt ? rt.expiration : 0,
        'not-before-policy': 0,
        ...(at?.sid ? { session_state: at.sid } : {}),
      };
    }
  });
}
