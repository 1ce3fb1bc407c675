/**
 * The Platform from the command line:
 *
 *   npm run afenda -- platform describe         what is registered: approval types and the hooks that
 *                                         react to them, webhook sources, outbound handlers, jobs
 *   npm run afenda -- platform run <job id>      queue a registered job now (e.g. video.expire-rooms);
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
import type { Parsed } from './args.ts';
import { CliError, openDatabase, type Io } from './kit.ts';

const REALM_FILE = path.join(REPO_ROOT, 'deploy/keycloak/realm-afenda.json');

export async function platformCommand(args: Parsed, io: Io): Promise<number> {
  const [command, jobId] = args.positionals;
  if (command !== 'describe' && !(command === 'run' && jobId))
    throw new CliError(
      'usage: platform describe | platform run <job id> (describe lists the jobs)',
    );
  const { url, database } =
    command === 'run'
      ? await openDatabase(2)
      : {
          url: 'postgres://unused@127.0.0.1/unused',
          database: createDatabase({ url: 'postgres://unused@127.0.0.1/unused', max: 1 }),
        };
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
      io.out(JSON.stringify(orchestrator.describe(), null, 2));
      return 0;
    }
    const known = orchestrator.platform.queue.list().map((j) => j.id);
    if (!known.includes(jobId!))
      throw new CliError(`no job "${jobId}" (jobs: ${known.join(', ')})`);
    await orchestrator.platform.queue.start(false);
    await orchestrator.platform.queue.runNow(jobId!);
    io.out(args.values.json ? JSON.stringify({ queued: jobId }) : `queued ${jobId}`);
    return 0;
  } finally {
    await orchestrator.platform.queue.stop();
    await database.close();
  }
}
