/** The App registry's settings form as a change for the API: pure, so it is unit-tested. */
import type { ModuleState } from '@afenda/contracts';

import type { ModuleSettingsChange } from '@/lib/api/modules';

/** The App registry's form, as sent: text fields, the switch, and which secrets to remove. */
export interface SettingsForm {
  enabled: boolean;
  baseUrl?: string;
  /** Empty: keep the stored one. */
  apiToken?: string;
  removeApiToken?: boolean;
  webhookSecret?: string;
  removeWebhookSecret?: boolean;
  options?: Record<string, string>;
}

/**
 * The form as a change: only what was filled in; a blank secret keeps the stored one. Bad input
 * is answered here, in words, before anything is sent.
 */
export function toChange(
  form: SettingsForm,
  options: ModuleState['options'],
): { ok: true; change: ModuleSettingsChange } | { ok: false; message: string } {
  const change: ModuleSettingsChange = { enabled: form.enabled === true };
  if (form.baseUrl !== undefined) {
    const url = form.baseUrl.trim();
    if (url && !(URL.canParse(url) && /^https?:$/.test(new URL(url).protocol)))
      return { ok: false, message: 'The address must start with http:// or https://.' };
    change.baseUrl = url || null;
  }
  for (const [field, remove, label, min] of [
    ['apiToken', 'removeApiToken', 'The API token', 1],
    ['webhookSecret', 'removeWebhookSecret', 'The webhook secret', 8],
  ] as const) {
    const value = form[field]?.trim() ?? '';
    if (form[remove]) change[field] = null;
    else if (value) {
      if (value.length < min) return { ok: false, message: `${label} is too short.` };
      if (value.length > 500) return { ok: false, message: `${label} is too long.` };
      change[field] = value;
    }
  }
  if (options.length > 0) {
    const values: Record<string, unknown> = {};
    for (const o of options) {
      const raw = form.options?.[o.key]?.trim() ?? '';
      if (!raw) {
        if (o.required) return { ok: false, message: `${o.label} is needed.` };
        continue;
      }
      if (o.kind === 'integer') {
        if (!/^\d{1,9}$/.test(raw)) return { ok: false, message: `${o.label} must be a number.` };
        values[o.key] = Number(raw);
      } else {
        if (raw.length > 200) return { ok: false, message: `${o.label} is too long.` };
        values[o.key] = raw;
      }
    }
    change.options = values;
  }
  return { ok: true, change };
}
