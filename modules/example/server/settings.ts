import { schedule } from '@afenda/platform/settings';
import { z } from 'zod';

/**
 * The module's slice of the environment: its own EXAMPLE_* keys, parsed and checked at start
 * with the kernel's and every other module's (one error lists every problem). A registered
 * module's keys are also documented in .env.example; config.test.ts fails until they are.
 */
export const exampleSettingsSchema = z.object({
  /** The token the tool sends in X-Example-Token; unset: the webhook source refuses everything. */
  EXAMPLE_WEBHOOK_TOKEN: z.string().min(16, { error: 'must be at least 16 characters' }).optional(),
  /** When the dead-letter report runs (crontab, or off). */
  EXAMPLE_REPORT_SCHEDULE: schedule('0 * * * *'),
});

export type ExampleSettings = z.infer<typeof exampleSettingsSchema>;
