import { int } from '@afenda/platform/settings';
import { z } from 'zod';

/** Whiteboards' environment keys (tldraw documents kept in our PostgreSQL). */
export const whiteboardSettingsSchema = z.object({
  WHITEBOARD_MAX_BYTES: int(64 * 1024, 50 * 1024 * 1024).default(5 * 1024 * 1024),
  WHITEBOARD_VERSION_INTERVAL_S: int(0, 86_400).default(300),
  WHITEBOARD_MAX_VERSIONS: int(1, 10_000).default(200),
  WHITEBOARD_PERSIST_INTERVAL_MS: int(100, 600_000).default(2000),
  WHITEBOARD_TICKET_TTL_S: int(5, 600).default(60),
  WHITEBOARD_TICKET_SECRET: z
    .string()
    .min(32, { error: 'must be at least 32 characters (openssl rand -base64 32)' })
    .optional(),
});

export type WhiteboardSettings = z.infer<typeof whiteboardSettingsSchema>;
