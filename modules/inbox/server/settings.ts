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
  /**
   * The Platform App's token (Chatwoot's Super Admin console): the access reconcile creates or
   * adopts agents and sets their account roles with it. Unset: Chatwoot is not kept in step.
   */
  CHATWOOT_PLATFORM_TOKEN: z.string().min(8).optional(),
  /** The administrator the reconcile creates in each account to manage its teams. */
  CHATWOOT_SYNC_EMAIL: z.email().default('keycloak-sync@afenda.invalid'),
});

export type InboxSettings = z.infer<typeof inboxSettingsSchema>;
