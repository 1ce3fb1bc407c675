import type { ModuleManifest } from '@afenda/contracts';

export const manifest: ModuleManifest = {
  id: 'inbox',
  name: 'Inbox',
  tool: 'Chatwoot',
  description:
    'The omnichannel customer inbox: conversations, escalations to approval, replies back to the customer.',
  path: '/app/inbox',
  order: 10,
  settings: { baseUrl: true, apiToken: true, webhookSecret: true },
  icon: 'inbox',
  routes: [{ path: '/app/inbox', title: 'Conversations' }],
  permissions: ['conversations.read', 'approvals.request'],
  embed: { path: '/app', title: "Chatwoot's dashboard" },
  // Chatwoot accounts belong to organisations (and their teams read them): not a personal tenant.
  tenantKinds: ['organization', 'team'],
  options: [
    {
      key: 'accountId',
      label: 'Chatwoot account id',
      kind: 'integer',
      required: true,
      hint: 'The number in Chatwoot’s address: /app/accounts/<id>/…',
    },
    {
      key: 'escalationRequester',
      label: 'Requester of escalations from Chatwoot',
      kind: 'text',
      hint: 'The username that escalations started in Chatwoot are recorded under',
    },
  ],
};
