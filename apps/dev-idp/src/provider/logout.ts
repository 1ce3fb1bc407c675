/**
 * RP-initiated logout (oidc-provider's endpoint, with our pages) and back-channel logout to the
 * clients' `backchannel.logout.url`.
 */
import { createHash } from 'node:crypto';
import type Provider from 'oidc-provider';
import type { Client, Configuration } from 'oidc-provider';
import { AUTO_SUBMIT_SCRIPT, loggedOutPage, logoutPage, pageHeaders } from '../pages.ts';
import type { DevIdpLogger, IdpState } from './state.ts';

type RpInitiatedLogout = NonNullable<NonNullable<Configuration['features']>['rpInitiatedLogout']>;

export function rpInitiatedLogout(state: IdpState): RpInitiatedLogout {
  const { realmTitle } = state;
  const autoSubmitHash = `sha256-${createHash('sha256').update(AUTO_SUBMIT_SCRIPT).digest('base64')}`;
  return {
    enabled: true,
    logoutSource: async (ctx, form) => {
      const automatic = typeof ctx.oidc.params?.id_token_hint === 'string';
      ctx.type = 'html';
      ctx.set(pageHeaders(automatic ? autoSubmitHash : undefined));
      ctx.body = logoutPage({ realmTitle, form, automatic });
    },
    postLogoutSuccessSource: async (ctx) => {
      ctx.type = 'html';
      ctx.set(pageHeaders());
      ctx.body = loggedOutPage(realmTitle);
    },
  };
}

/**
 * Back-channel logout goes to the Shell on localhost: oidc-provider's default fetch refuses
 * loopback and private addresses (SSRF protection), which is right for a public server and
 * wrong for a development provider whose clients all run on this machine.
 */
export const backchannelFetch: NonNullable<Configuration['fetch']> = async (input, init) => {
  const { dispatcher: _dispatcher, ...rest } = (init ?? {}) as RequestInit & {
    dispatcher?: unknown;
  };
  return fetch(input, rest);
};

export function logBackchannelErrors(provider: Provider, logger: DevIdpLogger): void {
  provider.on('backchannel.error', (_ctx: unknown, err: Error, client: Client) => {
    logger.warn({ clientId: client.clientId, err: err.message }, 'back-channel logout failed');
  });
}
