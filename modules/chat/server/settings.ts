import { httpOrigin, type SettingProblem } from '@afenda/platform/settings';
import { z } from 'zod';

const token = z.string().min(16, { error: 'must be at least 16 characters' });

/** Team chat's environment keys (Matrix); `npx afenda connect matrix` prints them (docs/chat.md). */
export const chatSettingsSchema = z.object({
  /** Synapse's client-server API, as the orchestrator reaches it. */
  MATRIX_HOMESERVER_URL: httpOrigin.optional(),
  /** The homeserver's server_name (the part after the colon in @alice:example.org). */
  MATRIX_SERVER_NAME: z
    .string()
    .regex(/^[A-Za-z0-9.-]+(:\d+)?$/, { error: 'must be a server name such as example.org' })
    .optional(),
  /** The registration's as_token: how the orchestrator calls Synapse. */
  MATRIX_AS_TOKEN: token.optional(),
  /** The registration's hs_token: how Synapse's transactions prove where they come from. */
  MATRIX_WEBHOOK_TOKEN: token.optional(),
  /** The registration's sender_localpart: the orchestrator's bot, creator of the managed rooms. */
  MATRIX_BOT_LOCALPART: z
    .string()
    .regex(/^[a-z0-9._=\-/]+$/, { error: 'must be a Matrix localpart (a-z 0-9 . _ = - /)' })
    .default('afenda'),
  /** Element, for the Team chat page's links and embed (optional). */
  ELEMENT_URL: httpOrigin.optional(),
  /** The Shell, for links in the bot's notices. */
  SHELL_PUBLIC_URL: httpOrigin.default('http://localhost:3000'),
});

export type ChatSettings = z.infer<typeof chatSettingsSchema>;

const CALLS = ['MATRIX_HOMESERVER_URL', 'MATRIX_SERVER_NAME', 'MATRIX_AS_TOKEN'] as const;

/**
 * Calling Synapse needs its URL, its server name and the as_token together. The server name
 * alone asks for nothing: compose passes it to Synapse and the orchestrator alike, with or
 * without Team chat switched on.
 */
export function matrixProblems(s: ChatSettings): SettingProblem[] {
  const set = CALLS.filter((k) => s[k]);
  if (!s.MATRIX_HOMESERVER_URL && !s.MATRIX_AS_TOKEN) return [];
  if (set.length === CALLS.length) return [];
  return CALLS.filter((k) => !s[k]).map((variable) => ({
    variable,
    problem: `is required with ${set.join(' and ')} (npx afenda connect matrix prints all of them)`,
  }));
}

/** Whether the orchestrator can call Synapse (rooms, notices); else what is missing. */
export function matrixMissing(s: ChatSettings): string[] {
  return [...CALLS, 'MATRIX_WEBHOOK_TOKEN' as const].filter((k) => !s[k]);
}
