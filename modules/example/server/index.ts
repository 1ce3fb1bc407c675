/**
 * The template a new tool copies (docs/modules.md). create() receives the kernel and the module's
 * settings and returns its parts; the composition root (apps/orchestrator/src/compose.ts)
 * registers them on the Platform. Not listed in apps/orchestrator/src/modules.ts: a template.
 */
import { defineJob } from '@afenda/platform/jobs/job';
import { defineModule } from '@afenda/platform/module';
import { listDeliveries } from '@afenda/platform/webhooks/deliveries';
import { z } from 'zod';
import { manifest } from '../manifest.ts';
import { exampleChange, recordDecision } from './approval.ts';
import { exampleRoutes } from './routes.ts';
import { exampleSettingsSchema } from './settings.ts';
import { exampleSource, SOURCE } from './webhook-source.ts';

export default defineModule({
  manifest,
  settings: exampleSettingsSchema,
  create({ database, logger, settings, core }) {
    return {
      routes: async (app) => {
        await app.register(exampleRoutes, {
          webhookUrl: `${core.PUBLIC_URL.replace(/\/$/, '')}/api/v1/webhooks/${SOURCE}`,
          configured: settings.EXAMPLE_WEBHOOK_TOKEN !== undefined,
        });
      },
      // Deliveries arrive at POST /api/v1/webhooks/example.
      webhookSources: [exampleSource({ database, token: settings.EXAMPLE_WEBHOOK_TOKEN })],
      approvalTypes: [exampleChange],
      // Hooks are named (owner first) so that `npm run platform -- describe` can list them.
      approvalHooks: [
        {
          event: 'decided',
          type: exampleChange.id,
          name: 'example.decision-entry',
          run: recordDecision,
        },
      ],
      jobs: [
        // Periodic: graphile-worker's crontab queues one run per tick across every replica,
        // retried like any job. `npm run platform -- run example.report` queues one now.
        defineJob({
          id: 'example.report',
          description: "Logs the example tool's dead-lettered webhook deliveries",
          payload: z.object({}).loose(),
          schedule: settings.EXAMPLE_REPORT_SCHEDULE,
          handler: async () => {
            // No tenant named: the jobs context, which sees every organisation's deliveries.
            const dead = await listDeliveries(database, {
              source: SOURCE,
              status: 'dead',
              limit: 100,
            });
            if (dead.length > 0) logger.warn({ dead: dead.length }, 'npm run webhooks -- replay');
          },
        }),
      ],
    };
  },
});
