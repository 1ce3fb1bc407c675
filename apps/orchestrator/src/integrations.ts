/**
 * Webhook ingestion, the Chatwoot connector and outbound actions, wired together: the job
 * queue and its tasks, the sources, the decision hook, and the sweepers that recover work a
 * dead process left behind. One instance per orchestrator process.
 */
import type { Database } from '@afenda/db';
import type { Logger } from 'pino';
import type { Config } from './config.ts';
import { onApprovalDecided } from './domain/approvals/types.ts';
import {
  decisionNoteHandler,
  DECISION_NOTE,
  queueDecisionNote,
} from './domain/conversations/decision-note.ts';
import { conversationEffects, type MirrorOptions } from './domain/conversations/mirror.ts';
import { toConversation } from './domain/conversations/queries.ts';
import { publishStreamEvent } from './domain/stream/publish.ts';
import {
  OUTBOUND_TASK,
  runOutbound,
  sweepOutbound,
  type OutboundDeps,
  type OutboundHandler,
} from './domain/outbound/outbound.ts';
import { ChatwootAccounts } from './domain/webhooks/chatwoot-accounts.ts';
import { chatwootSource } from './domain/webhooks/chatwoot-source.ts';
import {
  PROCESS_TASK,
  processDelivery,
  sweepDeliveries,
  type DeliveryDeps,
  type WebhookSource,
} from './domain/webhooks/deliveries.ts';
import { matrixSource } from './domain/webhooks/matrix-source.ts';
import { JobQueue } from './jobs/queue.ts';
import type { RetryPolicy } from './jobs/retry.ts';
import type { SecretBox } from './lib/secrets.ts';

export interface Integrations {
  queue: JobQueue;
  accounts: ChatwootAccounts;
  sources: Map<string, WebhookSource>;
  deliveries: DeliveryDeps;
  outbound: OutboundDeps;
  start(): Promise<void>;
  /** One sweep now (the sweepers also run on JOB_SWEEP_INTERVAL_S). */
  sweep(): Promise<{ deliveries: number; outbound: number }>;
  stop(): Promise<void>;
}

export interface IntegrationsOptions {
  config: Config;
  database: Database;
  secrets: SecretBox;
  logger: Logger;
  /** The application role's URL, for the queue's own connections. */
  databaseUrl: string;
  /** Calls into Chatwoot go through this (tests point it at a local double). */
  fetch?: typeof fetch;
  onConversationChanged?: MirrorOptions['onChanged'];
}

export function createIntegrations(options: IntegrationsOptions): Integrations {
  const { config, database, logger } = options;
  const retry: RetryPolicy = {
    maxAttempts: config.JOB_MAX_ATTEMPTS,
    baseMs: config.JOB_BACKOFF_BASE_MS,
    maxMs: config.JOB_BACKOFF_MAX_MS,
  };
  const queue = new JobQueue({
    connectionString: options.databaseUrl,
    concurrency: config.JOB_CONCURRENCY,
    pollIntervalMs: config.JOB_POLL_INTERVAL_MS,
    logger: logger.child({ component: 'jobs' }),
  });
  const accounts = new ChatwootAccounts({ database, secrets: options.secrets });
  const effects = conversationEffects({
    escalationLabel: config.CHATWOOT_ESCALATION_LABEL,
    // Live: a changed conversation goes to the organisation's open streams.
    onChanged:
      options.onConversationChanged ??
      (async (tx, row) => {
        const link = await accounts.linker();
        await publishStreamEvent(tx, {
          tenantId: row.tenantId,
          userId: null,
          name: 'conversation',
          subject: await toConversation(tx, row, (r) => link(r.accountId, r.displayId)),
        });
      }),
  });
  const sources = new Map<string, WebhookSource>([
    [
      'chatwoot',
      chatwootSource({
        accounts,
        effects,
        toleranceS: config.CHATWOOT_SIGNATURE_TOLERANCE_S,
        allowUnsigned: config.CHATWOOT_ALLOW_UNSIGNED,
      }),
    ],
    ['matrix', matrixSource({ hsToken: config.MATRIX_WEBHOOK_TOKEN })],
  ]);
  const handlers = new Map<string, OutboundHandler>([
    [
      DECISION_NOTE,
      decisionNoteHandler({
        accounts,
        approvedLabel: config.CHATWOOT_APPROVED_LABEL,
        rejectedLabel: config.CHATWOOT_REJECTED_LABEL,
        timeoutMs: config.CHATWOOT_API_TIMEOUT_MS,
        fetch: options.fetch,
      }),
    ],
  ]);
  const deliveries: DeliveryDeps = { database, queue, sources, retry };
  const outbound: OutboundDeps = { database, queue, retry, handlers };

  queue.register(PROCESS_TASK, async (payload) => {
    await processDelivery(deliveries, String(payload.id));
  });
  queue.register(OUTBOUND_TASK, async (payload) => {
    await runOutbound(outbound, String(payload.tenantId), String(payload.id));
  });
  const offHook = onApprovalDecided('ceo_approval', queueDecisionNote);

  let timer: NodeJS.Timeout | undefined;
  const sweep = async () => ({
    deliveries: await sweepDeliveries(deliveries, config.JOB_RECOVERY_AFTER_S),
    outbound: await sweepOutbound(outbound, config.JOB_RECOVERY_AFTER_S),
  });
  const sweepQuietly = () =>
    sweep()
      .then((n) => {
        if (n.deliveries + n.outbound > 0) logger.info(n, 'queued unfinished work again');
      })
      .catch((err: Error) => logger.warn({ err: { message: err.message } }, 'sweep failed'));

  return {
    queue,
    accounts,
    sources,
    deliveries,
    outbound,
    sweep,
    async start() {
      await queue.start(config.JOBS_ENABLED);
      if (config.JOBS_ENABLED) {
        void sweepQuietly();
        timer = setInterval(() => void sweepQuietly(), config.JOB_SWEEP_INTERVAL_S * 1000);
        timer.unref();
      }
    },
    async stop() {
      if (timer) clearInterval(timer);
      offHook();
      await queue.stop();
    },
  };
}
