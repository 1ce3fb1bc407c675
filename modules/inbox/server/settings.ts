import { bool, int } from '@afenda/platform/settings';
import { z } from 'zod';

/** The Inbox's environment keys (Chatwoot); per-organisation settings are in module_settings. */
export const inboxSettingsSchema = z.object({
  CHATWOOT_SIGNATURE_TOLERANCE_S: int(10, 3600).default(300),
  CHATWOOT_ALLOW_UNSIGNED: bool.default(false),
  CHATWOOT_ESCALATION_LABEL: z
    .string()
    .regex(/^[a-z0-9_-]{1,64}$/, { error: 'must be a Chatwoot label (a-z, 0-9, _ and -)' })
    .default('escalate'),
  CHATWOOT_APPROVED_LABEL: z
    .string()
    .regex(/^[a-z0-9_-]{1,64}$/)
    .default('ceo-approved'),
  CHATWOOT_REJECTED_LABEL: z
    .string()
    .regex(/^[a-z0-9_-]{1,64}$/)
    .default('ceo-rejected'),
  CHATWOOT_API_TIMEOUT_MS: int(100, 60_000).default(10_000),
});

export type InboxSettings = z.infer<typeof inboxSettingsSchema>;
