import type { ModuleManifest } from '@afenda/contracts';

export const manifest: ModuleManifest = {
  id: 'whiteboard',
  name: 'Whiteboards',
  tool: 'tldraw',
  description:
    'Whiteboards kept in our PostgreSQL, versioned and linked to approvals and conversations.',
  path: '/app/whiteboard',
  order: 60,
  // A library in the Shell, not a service: nothing to connect to (a tldraw licence key is a Shell setting).
  settings: { baseUrl: false, apiToken: false, webhookSecret: false },
  icon: 'presentation',
  routes: [{ path: '/app/whiteboard', title: 'Whiteboards' }],
  permissions: ['boards.read'],
};
