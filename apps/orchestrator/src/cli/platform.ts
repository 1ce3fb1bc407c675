/**
 * The Platform from the command line:
 *
 *   npm run platform -- describe          what is registered: approval types and the hooks that
 *                                         react to them, webhook sources, outbound handlers, jobs
 *   npm run platform -- run <job id>      queue a registered job now (e.g. video.expire-rooms);
 *                                         the running workers take it
 *
 * `describe` reads no database; `run` connects as the application role (DATABASE_URL, or the
 * embedded default's state). Prints JSON.
 */
import { createDatabase } from '@afenda/db';
import { SecretBox } from '@afenda/platform/secrets';
import path from 'node:path';
import { pino } from 'pino';
import { composeOrchestrator, loadSettings } from '../compose.ts';
import { RealmFileSource } from '../domain/identity/directory-source.ts';
import { DirectorySync } from '../domain/identity/sync.ts';
import { REPO_ROOT } from '../paths.ts';
import { cliDatabaseUrl } from './database.ts';

const REALM_FILE = path.join(REPO_ROOT, 'deploy/keycloak/realm-afenda.json');

const [command, jobId] = process.argv.slice(2);
if (command !== 'describe' && !(command === 'run' && jobId)) {
  process.stderr.write('usage: platform describe | platform run <job id>\n');
  process.exit(1);
}

const url = command === 'run' ? cliDatabaseUrl() : 'postgres://unused@127.0.0.1/unused';
const database = createDatabase({ url, max: 2 });
const logger = pino({ level: 'warn' });
const orchestrator = await composeOrchestrator({
  // A CLI needs no production secrets: only what the registrations depend on is read.
  settings: loadSettings({ ...process.env, NODE_ENV: 'development' }),
  database,
  secrets: new SecretBox(SecretBox.generateKey()),
  logger,
  databaseUrl: url,
  // As a deployment with a directory has it (Keycloak, or the demo realm): reconciled on schedule.
  directory: {
    sync: new DirectorySync({ database, source: new RealmFileSource(REALM_FILE), logger }),
    scheduled: true,
  },
});
try {
  if (command === 'describe') {
    process.stdout.write(`${JSON.stringify(orchestrator.describe(), null, 2)}\n`);
  } else {
    await orchestrator.platform.queue.start(false);
    await orchestrator.platform.queue.runNow(jobId as string);
    process.stdout.write(`${JSON.stringify({ queued: jobId })}\n`);
  }
} catch (err) {
  process.stderr.write(`platform: ${(err as Error).message}\n`);
  process.exitCode = 1;
} finally {
  await orchestrator.platform.queue.stop();
  await database.close();
}
