/**
 * The orchestrator's API for one signed-in user, put together from its parts: who they are and
 * their tenants, and, in one tenant, everything the Shell shows there. One call path
 * (client.ts) under all of them. Server-only.
 */
import { createAccessApi } from './access';
import { createApprovalsApi } from './approvals';
import { createChatApi } from './chat';
import { createCall, inTenant, type CallOptions } from './client';
import { createConversationsApi } from './conversations';
import { createModulesApi } from './modules';
import { createActivityApi, createNotificationsApi } from './notifications';
import { createRoomsApi } from './rooms';
import { createTenantsApi } from './tenants';
import { createWhiteboardsApi } from './whiteboards';

/** The calls that act in one tenant (X-Tenant-Id). */
export function createTenantApi(call: ReturnType<typeof createCall>, tenantId: string) {
  const c = inTenant(call, tenantId);
  return {
    ...createModulesApi(c),
    ...createApprovalsApi(c),
    ...createActivityApi(c),
    ...createConversationsApi(c),
    ...createAccessApi(c),
    ...createNotificationsApi(c),
    rooms: createRoomsApi(c),
    chat: createChatApi(c),
    whiteboards: createWhiteboardsApi(c),
  };
}

export type TenantApi = ReturnType<typeof createTenantApi>;

export function createOrchestratorApi(options: CallOptions & { accessToken: string }) {
  const call = createCall(options);
  return {
    ...createTenantsApi(call),
    inTenant: (tenantId: string): TenantApi => createTenantApi(call, tenantId),
  };
}

export type OrchestratorApi = ReturnType<typeof createOrchestratorApi>;
