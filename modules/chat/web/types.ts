/**
 * What the chat module's pages need of the Shell (the Shell hands it in as `shell`): the active
 * tenant, the Team chat API in it, and the Shell's <ModuleEmbed> for Element.
 */
import type { ChatRoom, MatrixStatus, Tenant } from '@afenda/contracts';
import type { Loaded, ModuleEmbedShell } from '@afenda/ui';

export interface ChatShell extends ModuleEmbedShell {
  tenant: Pick<Tenant, 'name' | 'role'> | null;
  api: {
    chat: { rooms(): Promise<{ rooms: ChatRoom[]; matrix: MatrixStatus }> };
  } | null;
  load<T>(promise: Promise<T>): Promise<Loaded<T>>;
}

/** Owners and admins see how the deployment is set up; members only that it isn't. */
export const oversees = (tenant: Pick<Tenant, 'role'>) =>
  tenant.role === 'owner' || tenant.role === 'admin';
