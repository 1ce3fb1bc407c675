/**
 * The Inbox (Chatwoot): signed webhook deliveries mirror conversations and messages, an agent
 * escalates a conversation to CEO approval (the Shell's button, Chatwoot's Dashboard App, or
 * the escalate label), and the decision goes back to Chatwoot as a private note and a label.
 */
import { publishStreamEvent } from '@afenda/platform/stream/publish';
import { AppError } from '@afenda/platform/errors';
import { defineModule } from '@afenda/platform/module';
import { manifest } from '../manifest.ts';
import { chatwootAccessTool } from './access.ts';
import { ChatwootAccounts } from './accounts.ts';
import { ceoApproval } from './approval-type.ts';
import { decisionNoteHandler, DECISION_NOTE, queueDecisionNote } from './decision-note.ts';
import { seedDemoIntegrations } from './demo/integrations.ts';
import { conversationEffects } from './mirror.ts';
import { toConversation } from './queries.ts';
import { conversationRoutes } from './routes.ts';
import { inboxSettingsSchema } from './settings.ts';
import { chatwootSource } from './webhook-source.ts';
import { testChatwootConnection } from './connection-test.ts';
import { connectRoutes } from './connect-routes.ts';
import { chatwootConnector } from './connect-cli.ts';

export default defineModule({
  manifest,
  settings: inboxSettingsSchema,
  checkSettings: (s, core) =>
    core.production && s.CHATWOOT_ALLOW_UNSIGNED
      ? [
          {
            variable: 'CHATWOOT_ALLOW_UNSIGNED',
            problem:
              'cannot be true in production: every delivery must be signed (Connect Chatwoot in the App registry sets its secret)',
          },
        ]
      : [],
  connectors: [chatwootConnector],
  create({ platform, database, secrets, settings, logger, core, fetch }) {
    const accounts = new ChatwootAccounts({ database, secrets });
    const effects = conversationEffects({
      approvals: platform.approvals,
      escalationLabel: settings.CHATWOOT_ESCALATION_LABEL,
      // Live: a changed conversation goes to the organisation's open streams.
      onChanged: async (tx, row) => {
        const link = await accounts.linker();
        await publishStreamEvent(tx, {
          tenantId: row.tenantId,
          userId: null,
          name: 'conversation',
          subject: await toConversation(tx, row, (r) => link(r.accountId, r.displayId)),
        });
      },
    });
    return {
      routes: async (app) => {
        await app.register(conversationRoutes, {
          database,
          approvals: platform.approvals,
          accounts,
        });
        await app.register(connectRoutes, {
          database,
          secrets,
          accounts,
          publicUrl: core.PUBLIC_URL,
          timeoutMs: settings.CHATWOOT_API_TIMEOUT_MS,
          fetch,
        });
      },
      webhookSources: [
        chatwootSource({
          accounts,
          effects,
          toleranceS: settings.CHATWOOT_SIGNATURE_TOLERANCE_S,
          allowUnsigned: settings.CHATWOOT_ALLOW_UNSIGNED,
        }),
      ],
      outboundHandlers: {
        [DECISION_NOTE]: decisionNoteHandler({
          accounts,
          approvedLabel: settings.CHATWOOT_APPROVED_LABEL,
          rejectedLabel: settings.CHATWOOT_REJECTED_LABEL,
          timeoutMs: settings.CHATWOOT_API_TIMEOUT_MS,
          fetch,
        }),
      },
      // Keycloak → Chatwoot's agents and teams (docs/permissions.md).
      accessTools: [
        chatwootAccessTool({
          database,
          accounts,
          platformToken: settings.CHATWOOT_PLATFORM_TOKEN,
          syncEmail: settings.CHATWOOT_SYNC_EMAIL,
          timeoutMs: settings.CHATWOOT_API_TIMEOUT_MS,
          fetch,
        }),
      ],
      approvalTypes: [ceoApproval],
      approvalHooks: [
        {
          event: 'decided',
          type: 'ceo_approval',
          name: 'inbox.decision-note',
          run: queueDecisionNote,
        },
      ],
      // One Chatwoot account belongs to one organisation.
      async checkTenantSettings(tenantId, options) {
        if (options?.accountId === undefined) return;
        if (!Number.isInteger(options.accountId))
          throw new AppError('VALIDATION_FAILED', 400, 'options.accountId must be a whole number', {
            fields: [{ field: 'options.accountId', message: 'must be a whole number' }],
          });
        accounts.invalidate();
        const claimed = await accounts.lookup(options.accountId as number);
        if (claimed && claimed.tenantId !== tenantId)
          throw new AppError(
            'CHATWOOT_ACCOUNT_TAKEN',
            409,
            'Another organisation already receives this Chatwoot account',
          );
      },
      onTenantSettingsChanged: () => accounts.invalidate(),
      testConnection: (tenantId) =>
        testChatwootConnection(
          { accounts, timeoutMs: settings.CHATWOOT_API_TIMEOUT_MS, fetch },
          tenantId,
        ),
      seedDemo: () => seedDemoIntegrations({ database, secrets, dataDir: core.dataDir, logger }),
    };
  },
});
