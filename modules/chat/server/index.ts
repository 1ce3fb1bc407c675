/**
 * Team chat (Matrix): Synapse's application-service transactions are received, verified and
 * stored like every webhook delivery. Acting on them is the chat module's next step.
 */
import { defineModule } from '@afenda/platform/module';
import { manifest } from '../manifest.ts';
import { matrixTransactionRoutes } from './routes.ts';
import { chatSettingsSchema } from './settings.ts';
import { matrixSource } from './webhook-source.ts';

export default defineModule({
  manifest,
  settings: chatSettingsSchema,
  create({ platform, settings, core }) {
    return {
      webhookSources: [matrixSource({ hsToken: settings.MATRIX_WEBHOOK_TOKEN })],
      routes: async (app) => {
        await app.register(matrixTransactionRoutes, { platform, bodyLimit: core.webhookBodyLimit });
      },
    };
  },
});
