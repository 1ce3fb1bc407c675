import type { ModuleManifest } from '@afenda/contracts';

export const manifest: ModuleManifest = {
  id: 'chat',
  name: 'Team chat',
  tool: 'Matrix (Synapse, Element)',
  description: 'Rooms per team, with power levels derived from Keycloak roles.',
  path: '/app/chat',
  order: 40,
  settings: { baseUrl: true, apiToken: true, webhookSecret: true },
  icon: 'messages-square',
  routes: [{ path: '/app/chat', title: 'Chat' }],
  permissions: ['rooms.read'],
  embed: { path: '/', title: 'Element' },
};
