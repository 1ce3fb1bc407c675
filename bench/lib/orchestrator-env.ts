import { settingsSchema } from '@afenda/orchestrator/config';

/**
 * The orchestrator's environment: none of its variables leak in from the caller's shell; the
 * bench sets what production needs, and BENCH_APP_<NAME>=value sets or overrides <NAME>
 * (e.g. BENCH_APP_LOG_LEVEL=info, BENCH_APP_NODE_ENV=development).
 */
export function orchestratorEnv(defaults: Record<string, string>): {
  env: Record<string, string | undefined>;
  settings: Record<string, string>;
} {
  const env: Record<string, string | undefined> = { ...process.env };
  for (const key of Object.keys(settingsSchema.shape)) delete env[key];
  const settings = { ...defaults };
  for (const [key, value] of Object.entries(process.env)) {
    if (key.startsWith('BENCH_APP_') && value !== undefined) settings[key.slice(10)] = value;
  }
  const shown = Object.fromEntries(
    Object.entries(settings).map(([k, v]) => [
      k,
      /(^|_)(URL|KEY|SECRET|PASSWORD)($|_)/.test(k) ? '[set]' : v,
    ]),
  );
  return { env: { ...env, ...settings }, settings: shown };
}
