/**
 * Migrate and exit: for a deployment job (Helm's pre-install/pre-upgrade hook) so that the
 * long-running orchestrator pods don't need DATABASE_ADMIN_URL. Reads DATABASE_ADMIN_URL (the
 * administrator) and DATABASE_URL (the application role it provisions). Exit 0 when the schema
 * is up to date, 1 with one line saying why otherwise. `npm run afenda -- migrate` does the same
 * with a line for people instead of a log line.
 */
import { migrate } from '@afenda/db';
import pg from 'pg';
import type { Parsed } from './args.ts';
import { CliError, explain, isMain, type Io } from './kit.ts';

/** The migrations this build ships, applied as the administrator; the application role provisioned. */
export async function applyMigrations(env: NodeJS.ProcessEnv): Promise<string[]> {
  const adminUrl = env.DATABASE_ADMIN_URL;
  if (!adminUrl)
    throw new CliError(
      'DATABASE_ADMIN_URL is required (on the embedded default, `npm start` migrates by itself)',
    );
  const app = env.DATABASE_URL ? new URL(env.DATABASE_URL) : undefined;
  const appRole =
    app?.username && app.password
      ? { name: decodeURIComponent(app.username), password: decodeURIComponent(app.password) }
      : undefined;
  const pool = new pg.Pool({ connectionString: adminUrl, max: 1 });
  try {
    return (await migrate(pool, { appRole })).applied;
  } catch (err) {
    throw new CliError(explain(err));
  } finally {
    await pool.end();
  }
}

export async function migrateCommand(args: Parsed, io: Io): Promise<number> {
  const applied = await applyMigrations(process.env);
  if (args.values.json) io.out(JSON.stringify({ applied }));
  else
    io.out(
      applied.length
        ? `applied ${applied.length} migration(s): ${applied.join(', ')}`
        : 'schema up to date',
    );
  return 0;
}

if (isMain(import.meta.url)) {
  try {
    const applied = await applyMigrations(process.env);
    process.stdout.write(
      `${JSON.stringify({ level: 30, service: 'afenda-migrate', applied, msg: applied.length ? `applied ${applied.length} migration(s)` : 'schema up to date' })}\n`,
    );
  } catch (err) {
    process.stderr.write(
      `afenda-migrate: ${explain(err).replace(/ \(on the embedded.*\)$/, '')}\n`,
    );
    process.exitCode = 1;
  }
}
