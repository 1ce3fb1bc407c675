'use server';

import { inActiveTenant } from '@/lib/actions';
import type { ActionResult } from '@/lib/load';
import type { ChatwootConnection, ConnectionTestResult } from '@/lib/api/modules';
import { getAuthConfig } from '@/lib/auth/config';
import { toChange, type SettingsForm } from './_parts/settings-change';

const MODULE_ID = /^[a-z][a-z0-9-]{0,31}$/;

/** Saves a module's settings in the active tenant (owners and admins; the API checks). */
export async function saveModuleSettingsAction(
  module: string,
  form: SettingsForm,
): Promise<ActionResult<{ updatedAt: string | null }>> {
  if (!MODULE_ID.test(module)) return { ok: false, message: 'No such module.' };
  let invalid: string | null = null;
  const result = await inActiveTenant(async (api) => {
    const state = (await api.listModuleStates()).find((m) => m.id === module);
    const parsed = toChange(form, state?.options ?? []);
    if (!parsed.ok) {
      invalid = parsed.message;
      return { updatedAt: null };
    }
    const saved = await api.putModuleSettings(module, parsed.change);
    return { updatedAt: saved.updatedAt };
  });
  return invalid ? { ok: false, message: invalid } : result;
}

/** "Test connection": one real call to the tool with the stored settings, and its answer. */
export async function testConnectionAction(
  module: string,
): Promise<ActionResult<ConnectionTestResult>> {
  if (!MODULE_ID.test(module)) return { ok: false, message: 'No such module.' };
  return inActiveTenant((api) => api.testModuleConnection(module), { mutates: false });
}

/**
 * "Connect Chatwoot": the whole wiring in one step (the orchestrator's POST
 * /modules/inbox/connect), with the Dashboard App pointing at this Shell.
 */
export async function connectChatwootAction(form: {
  baseUrl: string;
  apiToken: string;
  accountId: string;
}): Promise<ActionResult<ChatwootConnection>> {
  const baseUrl = String(form.baseUrl ?? '').trim();
  const apiToken = String(form.apiToken ?? '').trim();
  const accountId = String(form.accountId ?? '').trim();
  if (!(URL.canParse(baseUrl) && /^https?:$/.test(new URL(baseUrl).protocol)))
    return { ok: false, message: 'Chatwoot’s address must start with http:// or https://.' };
  if (!apiToken)
    return { ok: false, message: 'Paste the access token of a Chatwoot administrator.' };
  if (!/^\d{1,9}$/.test(accountId) || Number(accountId) < 1)
    return {
      ok: false,
      message: 'The account id is the number in Chatwoot’s address (/app/accounts/<id>).',
    };
  const dashboardAppUrl = `${getAuthConfig().publicUrl}/chatwoot/dashboard-app`;
  return inActiveTenant((api) =>
    api.connectChatwoot({ baseUrl, apiToken, accountId: Number(accountId), dashboardAppUrl }),
  );
}
