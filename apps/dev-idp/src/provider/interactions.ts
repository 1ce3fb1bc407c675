/**
 * The browser's way through the authorization endpoint: the sign-in form at `/login/:uid`, and no
 * consent screen (Keycloak asks none of first-party clients).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type Provider from 'oidc-provider';
import type { Configuration } from 'oidc-provider';
import { errorPage, loginPage } from '../pages.ts';
import { findClient } from '../realm.ts';
import { checkSignIn } from './throttle.ts';
import { readForm, sendHtml, type Form } from './http.ts';
import { DEFAULT_SCOPES } from './keycloak.ts';
import { epoch, type IdpState } from './state.ts';

type LoadExistingGrant = NonNullable<Configuration['loadExistingGrant']>;

export const loadExistingGrant: LoadExistingGrant = async (ctx) => {
  // Keycloak grants first-party clients everything they ask for (no consent screen), and
  // always adds its default client scopes (profile, email).
  const { oidc } = ctx;
  const client = oidc.client;
  const session = oidc.session;
  const params = oidc.params as { scope?: string } | undefined;
  if (!client || !session?.accountId || !params) return undefined;
  const requested = new Set((params.scope ?? '').split(' ').filter(Boolean));
  for (const s of DEFAULT_SCOPES) requested.add(s);
  params.scope = [...requested].join(' ');

  const grantId = oidc.result?.consent?.grantId ?? session.grantIdFor(client.clientId);
  let grant = grantId ? await oidc.provider.Grant.find(grantId) : undefined;
  if (grant && (grant.accountId !== session.accountId || grant.clientId !== client.clientId))
    grant = undefined;
  grant ??= new oidc.provider.Grant({
    accountId: session.accountId,
    clientId: client.clientId,
  });
  grant.addOIDCScope([...oidc.requestParamOIDCScopes]);
  const claims = [...oidc.requestParamClaims];
  if (claims.length) grant.addOIDCClaims(claims);
  for (const [indicator, server] of Object.entries(oidc.resourceServers ?? {})) {
    grant.addResourceScope(
      indicator,
      [...requested].filter((s) => server.scopes.has(s)),
    );
  }
  await grant.save();
  return grant;
};

export type LoginInteraction = (
  req: IncomingMessage,
  res: ServerResponse,
  uid: string,
) => Promise<void>;

export function loginInteraction(state: IdpState, provider: Provider): LoginInteraction {
  const { realm, realmTitle, mount, issuerUrl, logger } = state;

  return async (req, res, uid) => {
    if (req.method !== 'GET' && req.method !== 'POST') {
      res.writeHead(405, { allow: 'GET, POST' });
      res.end();
      return;
    }
    // Expired, unknown, or the interaction cookie (path-bound to this URL, SameSite=Lax) names
    // another uid: all mean the same to the person at the browser.
    const details = await provider.interactionDetails(req, res).catch(() => undefined);
    if (details?.uid !== uid) {
      return sendHtml(
        res,
        400,
        errorPage(
          realmTitle,
          'Your login attempt timed out.',
          'Go back to the application and sign in again.',
        ),
      );
    }
    const clientId = String(details.params.client_id ?? '');
    const realmClient = findClient(realm, clientId);
    const clientName = realmClient?.name ?? clientId;

    if (details.prompt.name !== 'login') {
      // Keycloak asks no consent of first-party clients; loadExistingGrant normally grants
      // everything first, so this is only a fallback.
      const accountId = details.session?.accountId;
      if (!accountId)
        return sendHtml(res, 400, errorPage(realmTitle, 'Your login attempt timed out.'));
      const grant =
        (details.grantId ? await provider.Grant.find(details.grantId) : undefined) ??
        new provider.Grant({ accountId, clientId });
      const missing = details.prompt.details as {
        missingOIDCScope?: string[];
        missingOIDCClaims?: string[];
        missingResourceScopes?: Record<string, string[]>;
      };
      if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope);
      if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
      for (const [indicator, scopes] of Object.entries(missing.missingResourceScopes ?? {})) {
        grant.addResourceScope(indicator, scopes);
      }
      const grantId = await grant.save();
      await provider.interactionFinished(
        req,
        res,
        { consent: { grantId } },
        { mergeWithLastSubmission: true },
      );
      return;
    }

    const action = `${mount}/login/${encodeURIComponent(uid)}`;
    if (req.method === 'GET') {
      const hint =
        typeof details.params.login_hint === 'string' ? details.params.login_hint : undefined;
      return sendHtml(res, 200, loginPage({ realmTitle, action, clientName, username: hint }));
    }

    // Browsers say where a form post comes from: refuse other sites' posts (on top of the
    // SameSite=Lax interaction cookie, which such posts do not carry anyway).
    const origin = req.headers.origin;
    if (
      origin !== undefined &&
      origin !== 'null' &&
      origin !== `${issuerUrl.protocol}//${req.headers.host ?? ''}`
    ) {
      return sendHtml(
        res,
        403,
        errorPage(realmTitle, 'This sign-in form was posted from another site.'),
      );
    }
    let form: Form;
    try {
      form = await readForm(req, 16 * 1024);
    } catch {
      return sendHtml(
        res,
        400,
        loginPage({ realmTitle, action, clientName, error: 'Invalid request.' }),
      );
    }
    const username = form.username ?? '';
    const user = checkSignIn(state, username, form.password ?? '', req.socket.remoteAddress);
    if (!user) {
      logger.info({ clientId, username: username.slice(0, 100) }, 'sign-in refused');
      return sendHtml(
        res,
        200,
        loginPage({
          realmTitle,
          action,
          clientName,
          username,
          error: 'Invalid username or password.',
        }),
      );
    }
    await provider.interactionFinished(
      req,
      res,
      { login: { accountId: user.id, acr: '1', amr: ['pwd'], remember: false, ts: epoch() } },
      { mergeWithLastSubmission: false },
    );
  };
}
