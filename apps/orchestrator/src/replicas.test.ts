/**
 * Several replicas on one database: every periodic job runs once per tick across all of them
 * (graphile-worker's crontab records the tick it queued in its known_crontabs table, and each
 * cron job carries its id as job key), not once per replica.
 */
import { createDatabase, type Database } from '@afenda/db';
import { createTestDatabase, type TestDatabase } from '@afenda/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { composeOrchestrator, loadSettings, type Orchestrator } from './compose.ts';
import { RealmFileSource } from './domain/identity/directory-source.ts';
import { DirectorySync } from './domain/identity/sync.ts';
import { createLogger } from './logger.ts';
import { REALM_FILE, TEST_SETTINGS_KEY } from './testing/app.ts';
import { SecretBox } from '@afenda/platform/secrets';

const REPLICAS = 3;
const EVERY_MINUTE = '* * * * *';
let tdb: TestDatabase;
const replicas: { orchestrator: Orchestrator; database: Database }[] = [];

beforeAll(async () => {
  tdb = await createTestDatabase();
  // Every schedule on every minute, so one test sees one tick of each.
  const settings = loadSettings({
    NODE_ENV: 'test',
    DATABASE_URL: tdb.appUrl,
    LOG_LEVEL: 'silent',
    JOB_POLL_INTERVAL_MS: '500',
    JOB_SWEEP_SCHEDULE: EVERY_MINUTE,
    STREAM_EXPIRY_SCHEDULE: EVERY_MINUTE,
    KEYCLOAK_SYNC_SCHEDULE: EVERY_MINUTE,
    ROOM_EXPIRY_SCHEDULE: EVERY_MINUTE,
    ACCESS_SYNC_SCHEDULE: EVERY_MINUTE,
    RETENTION_SCHEDULE: EVERY_MINUTE,
  });
  const logger = createLogger('silent');
  for (let i = 0; i < REPLICAS; i++) {
    // Each replica has its own pool and its own job queue (own connections), as processes do.
    const database = createDatabase({ url: tdb.appUrl, max: 3 });
    const orchestrator = await composeOrchestrator({
      settings,
      database,
      secrets: new SecretBox(TEST_SETTINGS_KEY),
      logger,
      databaseUrl: tdb.appUrl,
      directory: {
        sync: new DirectorySync({ database, source: new RealmFileSource(REALM_FILE), logger }),
        scheduled: true,
      },
    });
    await orchestrator.start();
    replicas.push({ orchestrator, database });
  }
}, 120_000);

afterAll(async () => {
  for (const { orchestrator, database } of replicas) {
    await orchestrator.stop().catch(() => undefined);
    await database.close().catch(() => undefined);
  }
  await tdb?.drop();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const untilSecondOfMinute = async (second: number) => {
  const now = new Date();
  const target = new Date(now);
  target.setSeconds(second, 0);
  if (target <= now) target.setMinutes(target.getMinutes() + 1);
  await sleep(target.getTime() - now.getTime());
};

function runsAcrossReplicas(): Map<string, number> {
  const total = new Map<string, number>();
  for (const { orchestrator } of replicas)
    for (const [id, n] of orchestrator.platform.queue.runs) total.set(id, (total.get(id) ?? 0) + n);
  return total;
}

describe('periodic jobs with three replicas on one database', () => {
  it('runs each scheduled job once per tick, not once per replica', async () => {
    const scheduled = replicas[0]!.orchestrator.platform.queue
      .list()
      .filter((j) => j.schedule)
      .map((j) => j.id)
      .sort();
    // The kernel's and the modules' periodic work: directory reconcile, room expiry, the
    // delivery sweep, the stream log's expiry, the access reconcile (Keycloak → the tools), the
    // retention purge.
    expect(scheduled).toEqual([
      'access.reconcile',
      'directory.reconcile',
      'jobs.sweep',
      'retention.purge',
      'stream.expire',
      'video.expire-rooms',
    ]);
    // Start-up runs (runAtStart) are over before the count begins; the count covers the tick at
    // second 0 of a minute and stops 15 s after it.
    await sleep(5000);
    await untilSecondOfMinute(50);
    const before = runsAcrossReplicas();
    await untilSecondOfMinute(15);
    const after = runsAcrossReplicas();
    const perTick = Object.fromEntries(
      scheduled.map((id) => [id, (after.get(id) ?? 0) - (before.get(id) ?? 0)]),
    );
    expect(perTick).toEqual(Object.fromEntries(scheduled.map((id) => [id, 1])));
    // And the work was shared out: the queue is one, whichever replica takes a tick.
    const workers = replicas.filter(({ orchestrator }) =>
      scheduled.some((id) => (orchestrator.platform.queue.runs.get(id) ?? 0) > 0),
    );
    expect(workers.length).toBeGreaterThanOrEqual(1);
  }, 180_000);
});
