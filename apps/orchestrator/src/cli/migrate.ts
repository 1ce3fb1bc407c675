/**
 * Migrate and exit: for a deployment job (Helm's pre-install/pre-upgrade hook) so that the
 * long-running orchestrator pods don't need DATABASE_ADMIN_URL. Reads DATABASE_ADMIN_URL (the
 * administrator) and DATABASE_URL (the application role it provisions). Exit 0 when the schema
 * is up to date, 1 with one line saying why otherwise.
 */
import { migrate } from '@afenda/db';
import pg from 'pg';

const adminUrl = process.env.DATABASE_ADMIN_URL;
const appUrl = process.env.DATABASE_URL;
if (!adminUrl) {
  process.stderr.write('afenda-migrate: DATABASE_ADMIN_URL is required\n');
  process.exit(1);
}
const app = appUrl ? new URL(appUrl) : undefined;
const appRole =
  app?.username && app.password
    ? { name: decodeURIComponent(app.username), password: decodeURIComponent(app.password) }
    : undefined;
const pool = new pg.Pool({ connectionString: adminUrl, max: 1 });
try {
  const { applied } = await migrate(pool, { appRole });
  process.stdout.write(
    `${JSON.stringify({ level: 30, service: 'afenda-migrate', applied, msg: applied.length ? `applied ${applied.length} migration(s)` : 'schema up to date' })}\n`,
  );
} catch (err) {
  process.stderr.write(`afenda-migrate: ${(err as Error).message}\n`);
  process.exitCode = 1;
} finally {
  await pool.end();
}
