import type { ModuleManifest } from '@afenda/contracts';

export const manifest: ModuleManifest = {
  id: 'chat',
  name: 'Team chat',
  tool: 'Matrix (Synapse, Element)',
  description:
    "Rooms for the organisation and each team, following Keycloak's directory; opened in Element.",
  path: '/app/chat',
  order: 40,
  // Matrix and Element are the orchestrator's settings (MATRIX_*, ELEMENT_URL: docs/chat.md), not
  // a tenant's: the Team chat page says what is missing.
  settings: { baseUrl: false, apiToken: false, webhookSecret: false },
  icon: 'messages-square',
  routes: [{ path: '/app/chat', title: 'Rooms' }],
  permissions: ['rooms.read'],
};
