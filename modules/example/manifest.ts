import type { ModuleManifest } from '@afenda/contracts';

/**
 * What the Shell and the API say about the tool. Data only (no React, no server code), so the
 * orchestrator and the Shell can both read it.
 */
export const manifest: ModuleManifest = {
  id: 'example',
  name: 'Example',
  tool: 'Any tool that can send a webhook',
  description: 'The template a new tool copies: one of each extension point, and its test.',
  path: '/app/example',
  order: 90,
  // Per-tenant settings the tool needs (stored encrypted in module_settings). None here: the
  // webhook token is one for the deployment (EXAMPLE_WEBHOOK_TOKEN).
  settings: { baseUrl: false, apiToken: false, webhookSecret: false },
  icon: 'puzzle',
  routes: [{ path: '/app/example', title: 'Example' }],
};
