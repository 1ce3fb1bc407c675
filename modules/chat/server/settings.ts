import { z } from 'zod';

/** Team chat's environment keys (Matrix). */
export const chatSettingsSchema = z.object({
  MATRIX_WEBHOOK_TOKEN: z.string().min(16, { error: 'must be at least 16 characters' }).optional(),
});

export type ChatSettings = z.infer<typeof chatSettingsSchema>;
