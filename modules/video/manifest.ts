import type { ModuleManifest } from '@afenda/contracts';

export const manifest: ModuleManifest = {
  id: 'video',
  name: 'Meetings',
  tool: 'Jitsi Meet',
  description: 'Video rooms opened after an approval, secured with short-lived tokens, expiring.',
  path: '/app/video',
  order: 50,
  settings: { baseUrl: true, apiToken: false, webhookSecret: false },
  icon: 'video',
  routes: [{ path: '/app/video', title: 'Meetings' }],
  permissions: ['rooms.read'],
  environment: { baseUrl: 'JITSI_URL' },
};
