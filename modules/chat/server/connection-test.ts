import type { ConnectionTest } from '@afenda/platform/module';
import { MatrixError, type MatrixClient } from './matrix/client.ts';

/**
 * The App registry's "Test connection" for Team chat: Synapse must answer as the product's bot
 * to the appservice token (`GET /_matrix/client/v3/account/whoami`), which proves that it loaded
 * our registration (appservice-afenda.yaml) and that MATRIX_AS_TOKEN and MATRIX_BOT_LOCALPART
 * match it.
 */
export async function testMatrixConnection(deps: {
  missing: string[];
  baseUrl: string | undefined;
  client: () => MatrixClient;
  botUserId: string;
}): Promise<ConnectionTest> {
  if (deps.missing.length)
    return {
      ok: false,
      summary: `Team chat needs ${deps.missing.join(', ')} in the orchestrator’s environment (npx afenda connect matrix writes them).`,
      target: '',
    };
  const target = `${deps.baseUrl}/_matrix/client/v3/account/whoami`;
  try {
    const me = await deps.client().whoami();
    if (me.user_id !== deps.botUserId)
      return {
        ok: false,
        summary: `Synapse answered as ${me.user_id}, not ${deps.botUserId}: MATRIX_BOT_LOCALPART differs from the registration's sender_localpart.`,
        target,
      };
    return {
      ok: true,
      summary: `Synapse knows the appservice: it answers the token as ${deps.botUserId}.`,
      target,
    };
  } catch (err) {
    if (err instanceof MatrixError && err.status === 401)
      return {
        ok: false,
        summary:
          'Synapse does not know the appservice token: add appservice-afenda.yaml to app_service_config_files and restart Synapse (docs/chat.md).',
        target,
      };
    if (err instanceof MatrixError) return { ok: false, summary: `${err.message}.`, target };
    const e = err as Error & { cause?: Error };
    return {
      ok: false,
      summary: `Synapse did not answer at ${deps.baseUrl}: ${e.cause?.message ?? e.message}.`,
      target,
    };
  }
}
