/**
 * Settings come from the environment, validated at start: the kernel's and each module's slice
 * (a module owns its CHATWOOT_* / JITSI_* / ... keys). `.env.example` documents every key; a
 * test keeps the two in step.
 */
import { z } from 'zod';

export const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'], { error: 'must be true or false' })
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

export const int = (min: number, max: number) =>
  z
    .string()
    .regex(/^\d+$/, { error: `must be a whole number between ${min} and ${max}` })
    .transform(Number)
    .pipe(
      z
        .number()
        .int()
        .min(min, { error: `must be at least ${min}` })
        .max(max, { error: `must be at most ${max}` }),
    );

export const httpOrigin = z
  .string()
  .refine((v) => URL.canParse(v) && /^https?:$/.test(new URL(v).protocol), {
    error: 'must be an http(s) URL',
  });

/**
 * A periodic job's schedule: five crontab fields (graphile-worker's cron, one tick a minute at
 * the finest), or "off" (read as ''). Each tick runs on one replica.
 */
export const schedule = (fallback: string) =>
  z
    .string()
    .regex(/^(off|\S+ \S+ \S+ \S+ \S+)$/, {
      error: 'must be five crontab fields (e.g. "*/5 * * * *") or off',
    })
    .default(fallback)
    .transform((v) => (v === 'off' ? '' : v));

export interface SettingProblem {
  variable: string;
  problem: string;
}

export class ConfigError extends Error {
  constructor(public readonly problems: SettingProblem[]) {
    super(`Invalid configuration: ${problems.map((p) => `${p.variable} ${p.problem}`).join('; ')}`);
    this.name = 'ConfigError';
  }
}

export type SettingsSchema = z.ZodObject<z.ZodRawShape>;

/**
 * Parses the keys of one schema from the environment; an empty variable means "not set" (the
 * usual shell and compose behaviour). Returns the problems instead of throwing, so that every
 * slice's problems are reported together.
 */
export function parseSettings<S extends SettingsSchema>(
  schema: S,
  env: Record<string, string | undefined>,
): { data: z.infer<S>; problems: [] } | { data: undefined; problems: SettingProblem[] } {
  const present = Object.fromEntries(
    Object.keys(schema.shape)
      .map((k) => [k, env[k]])
      .filter(([, v]) => v !== undefined && v !== ''),
  );
  const parsed = schema.safeParse(present);
  if (parsed.success) return { data: parsed.data, problems: [] };
  return {
    data: undefined,
    problems: parsed.error.issues.map((issue) => {
      const variable = String(issue.path[0] ?? '(settings)');
      const got = present[variable];
      const shown =
        /URL|KEY|SECRET|PASSWORD|TOKEN/.test(variable) || got === undefined
          ? ''
          : ` (got "${got}")`;
      return { variable, problem: `${issue.message}${shown}` };
    }),
  };
}
