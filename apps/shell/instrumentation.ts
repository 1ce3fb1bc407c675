/**
 * Runs once when the Shell's server starts: its settings are checked then, so a missing or bad
 * one stops `next start` with one line naming each variable, instead of the first sign-in
 * failing. Not during `next build` (a build needs no settings).
 */
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME !== 'nodejs') return;
  if (process.env.NEXT_PHASE === 'phase-production-build') return;
  const { AuthConfigError, loadAuthConfig } = await import('./lib/auth/config');
  try {
    loadAuthConfig(process.env);
  } catch (err) {
    if (!(err instanceof AuthConfigError)) throw err;
    console.error(`The Shell cannot start. ${err.message} (see apps/shell/README.md)`);
    process.exit(1);
  }
}
