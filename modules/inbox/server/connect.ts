/**
 * "Connect Chatwoot" in one step (issue 18; the App registry and `afenda connect chatwoot`):
 * given Chatwoot's address, an administrator's API token and the account, every step is done
 * and reported, each one idempotent (run it again and it ends in the same state):
 *
 * 1. the token is checked on the account (its open conversations);
 * 2. the account webhook pointing at this orchestrator is created with the events the product
 *    handles and a fresh secret (an existing one at the same URL is removed first: Chatwoot has no
 *    route to rotate a secret, CONTRACT.md §4.7);
 * 3. the address, token, secret (encrypted) and account are stored as the Inbox's settings, on
 *    the timeline;
 * 4. the Dashboard App (the escalation panel beside each conversation) is registered unless one
 *    already points at the Shell;
 * 5. the round trip is proven: a private test note on the latest conversation, and Chatwoot's
 *    signed `message_created` for it must arrive here, verified, within ROUND_TRIP_MS.
 */
import type { Database } from '@afenda/db';
import { sql } from 'drizzle-orm';
import { AppError } from '@afenda/platform/errors';
import { putModuleSettings, getModuleSettings } from '@afenda/platform/module-settings';
import type { SecretBox } from '@afenda/platform/secrets';
import type { ChatwootAccounts } from './accounts.ts';
import {
  ChatwootApiError,
  chatwootRequest,
  type ChatwootClientOptions,
} from './chatwoot/chatwoot-api.ts';
import { HANDLED_EVENTS } from './chatwoot/events.ts';

export interface ConnectInput {
  baseUrl: string;
  apiToken: string;
  accountId: number;
  /** The Shell's Dashboard App page, e.g. https://work.example.com/chatwoot/dashboard-app. */
  dashboardAppUrl?: string;
}

export interface ConnectStep {
  step: 'token' | 'webhook' | 'settings' | 'dashboard-app' | 'round-trip';
  ok: boolean;
  detail: string;
}

export interface ConnectResult {
  ok: boolean;
  steps: ConnectStep[];
}

export const ROUND_TRIP_MS = 10_000;
const WEBHOOK_NAME = 'Axis Afenda';
const DASHBOARD_APP_TITLE = 'Axis Afenda';

interface Deps {
  database: Database;
  secrets: SecretBox;
  accounts: ChatwootAccounts;
  /** The orchestrator's public URL: the webhook goes to <it>/api/v1/webhooks/chatwoot. */
  publicUrl: string;
  timeoutMs: number;
  fetch: typeof fetch;
  roundTripMs?: number;
}

const why = (err: unknown) =>
  err instanceof ChatwootApiError
    ? err.status === 401
      ? 'Chatwoot refused the API token (401): use the access token of an administrator of that account'
      : err.status === 404
        ? 'Chatwoot has no such account for this token (404)'
        : err.status === null
          ? `Chatwoot did not answer: ${err.message.replace(/^Chatwoot unreachable: /, '')}`
          : `Chatwoot answered ${err.status}`
    : (err as Error).message;

export async function connectChatwoot(
  deps: Deps,
  /** Who connects: an owner or admin, or null for the operator's command line. */
  actor: { tenantId: string; userId: string | null },
  input: ConnectInput,
): Promise<ConnectResult> {
  const steps: ConnectStep[] = [];
  const done = (step: ConnectStep) => {
    steps.push(step);
    return step.ok;
  };
  const client: ChatwootClientOptions = {
    baseUrl: input.baseUrl,
    apiToken: input.apiToken,
    timeoutMs: deps.timeoutMs,
    fetch: deps.fetch,
  };
  const account = `api/v1/accounts/${input.accountId}`;
  const finish = () => ({ ok: steps.every((s) => s.ok), steps });

  // 1. The token, on the account.
  deps.accounts.invalidate();
  const claimed = await deps.accounts.lookup(input.accountId);
  if (claimed && claimed.tenantId !== actor.tenantId)
    throw new AppError(
      'CHATWOOT_ACCOUNT_TAKEN',
      409,
      'Another organisation already receives this Chatwoot account',
    );
  let latest: number | undefined;
  try {
    const list = await chatwootRequest<{
      data?: { meta?: { all_count?: number }; payload?: { id?: number }[] };
    }>(client, 'GET', `${account}/conversations?status=open`);
    latest = list.data?.payload?.[0]?.id;
    done({
      step: 'token',
      ok: true,
      detail: `Chatwoot answered for account ${input.accountId}: ${list.data?.meta?.all_count ?? 0} open conversations.`,
    });
  } catch (err) {
    done({ step: 'token', ok: false, detail: `${why(err)}.` });
    return finish();
  }

  // 2. The webhook, with a fresh secret.
  const hookUrl = `${deps.publicUrl.replace(/\/+$/, '')}/api/v1/webhooks/chatwoot`;
  let secret: string;
  try {
    const existing = await chatwootRequest<{
      payload?: { webhooks?: { id: number; url: string }[] };
    }>(client, 'GET', `${account}/webhooks`);
    const ours = (existing.payload?.webhooks ?? []).filter((w) => w.url === hookUrl);
    for (const w of ours) await chatwootRequest(client, 'DELETE', `${account}/webhooks/${w.id}`);
    const created = await chatwootRequest<{
      payload?: { webhook?: { id?: number; secret?: string } };
    }>(client, 'POST', `${account}/webhooks`, {
      webhook: { name: WEBHOOK_NAME, url: hookUrl, subscriptions: [...HANDLED_EVENTS].sort() },
    });
    const got = created.payload?.webhook?.secret;
    if (!got) {
      done({
        step: 'webhook',
        ok: false,
        detail:
          'Chatwoot created the webhook without a secret: it signs webhooks from version 4.12 on; upgrade Chatwoot, then connect again.',
      });
      return finish();
    }
    secret = got;
    done({
      step: 'webhook',
      ok: true,
      detail: `${ours.length ? 'Replaced the webhook' : 'Created a webhook'} to ${hookUrl} for ${HANDLED_EVENTS.size} events, with a fresh secret.`,
    });
  } catch (err) {
    done({ step: 'webhook', ok: false, detail: `The webhook could not be set up: ${why(err)}.` });
    return finish();
  }

  // 3. The settings (secrets encrypted), on the timeline.
  const before = await getModuleSettings(deps.database, actor.tenantId, 'inbox');
  await putModuleSettings(
    deps,
    actor.tenantId,
    'inbox',
    {
      enabled: true,
      baseUrl: input.baseUrl,
      apiToken: input.apiToken,
      webhookSecret: secret,
      options: { ...(before?.options ?? {}), accountId: input.accountId },
    },
    { actorId: actor.userId, tool: 'Chatwoot' },
  );
  deps.accounts.invalidate();
  done({
    step: 'settings',
    ok: true,
    detail: 'Stored the address, the token and the webhook secret (encrypted).',
  });

  // 4. The Dashboard App.
  if (input.dashboardAppUrl) {
    try {
      const apps = await chatwootRequest<{ id: number; content?: { url?: string }[] }[]>(
        client,
        'GET',
        `${account}/dashboard_apps`,
      );
      const there = apps.some((a) =>
        (a.content ?? []).some((c) => c.url === input.dashboardAppUrl),
      );
      if (!there)
        await chatwootRequest(client, 'POST', `${account}/dashboard_apps`, {
          dashboard_app: {
            title: DASHBOARD_APP_TITLE,
            content: [{ type: 'frame', url: input.dashboardAppUrl }],
          },
        });
      done({
        step: 'dashboard-app',
        ok: true,
        detail: there
          ? 'The Dashboard App was already registered.'
          : `Registered the Dashboard App (${input.dashboardAppUrl}) beside each conversation.`,
      });
    } catch (err) {
      done({
        step: 'dashboard-app',
        ok: false,
        detail: `The Dashboard App could not be registered: ${why(err)}.`,
      });
    }
  }

  // 5. The round trip: a test note, and Chatwoot's signed delivery of it.
  if (latest === undefined) {
    done({
      step: 'round-trip',
      ok: true,
      detail:
        'No open conversation to leave a test note on: the first one will show the webhook working.',
    });
    return finish();
  }
  try {
    const started = Date.now();
    const note = await chatwootRequest<{ id: number }>(
      client,
      'POST',
      `${account}/conversations/${latest}/messages`,
      {
        content:
          'Axis Afenda is connected: this private note checks that Chatwoot’s webhook reaches it.',
        message_type: 'outgoing',
        private: true,
      },
    );
    const deadline = started + (deps.roundTripMs ?? ROUND_TRIP_MS);
    while (Date.now() < deadline) {
      const seen = await deps.database.withTenant(actor.tenantId, (tx) =>
        tx.execute<{ verified: boolean }>(sql`
          select verified from webhook_deliveries
          where source = 'chatwoot' and event_type = 'message_created'
            and received_at >= to_timestamp(${Math.floor(started / 1000) - 1})
            and case when body_kept then body::jsonb ->> 'id' end = ${String(note.id)}
          limit 1`),
      );
      const row = seen.rows[0];
      if (row) {
        done({
          step: 'round-trip',
          ok: row.verified,
          detail: row.verified
            ? `A test note on conversation #${latest} came back as a signed webhook in ${Date.now() - started} ms.`
            : 'The test note came back unsigned: check Chatwoot’s version (4.12 or later signs webhooks).',
        });
        return finish();
      }
      await new Promise((r) => setTimeout(r, 200));
    }
    done({
      step: 'round-trip',
      ok: false,
      detail: `Chatwoot took the test note on conversation #${latest}, but its webhook did not reach ${hookUrl} within ${Math.round((deps.roundTripMs ?? ROUND_TRIP_MS) / 1000)} s: can Chatwoot reach that address?`,
    });
  } catch (err) {
    done({
      step: 'round-trip',
      ok: false,
      detail: `The test note could not be posted: ${why(err)}.`,
    });
  }
  return finish();
}
