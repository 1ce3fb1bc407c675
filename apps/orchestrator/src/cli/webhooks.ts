/**
 * Webhook deliveries and their dead letters from the command line (operators: every
 * organisation, unmapped deliveries included):
 *
 *   npm run webhooks -- list [--status dead|failed|unmapped|...] [--limit 50]
 *   npm run webhooks -- dead-letters
 *   npm run webhooks -- replay <delivery id> [...]
 *   npm run webhooks -- replay --all
 *
 * Connects as the application role (DATABASE_URL, or the embedded default's state) and acts in
 * the jobs context; a replay queues the deliveries for the running workers. Prints JSON lines.
 */
import { createDatabase } from '@afenda/db';
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import {
  deliveryView,
  listDeliveries,
  replayDeliveries,
  type DeliveryStatus,
} from '@afenda/platform/webhooks/deliveries';
import { JobQueue } from '@afenda/platform/jobs/queue';
import { cliDatabaseUrl } from './database.ts';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    status: { type: 'string' },
    limit: { type: 'string', default: '50' },
    all: { type: 'boolean', default: false },
  },
});
const [command, ...ids] = positionals;
const out = (v: unknown) => process.stdout.write(`${JSON.stringify(v)}\n`);
const usage = () => {
  process.stderr.write(
    'usage: webhooks list [--status s] [--limit n] | dead-letters | replay <id...> | replay --all\n',
  );
  process.exit(1);
};

const url = cliDatabaseUrl();
const database = createDatabase({ url, max: 2 });
const queue = new JobQueue({
  connectionString: url,
  concurrency: 1,
  pollIntervalMs: 1000,
  logger: pino({ level: 'warn' }),
});
try {
  if (command === 'list' || command === 'dead-letters') {
    const rows = await listDeliveries(database, {
      status: command === 'dead-letters' ? 'dead' : (values.status as DeliveryStatus | undefined),
      limit: Number(values.limit),
    });
    for (const row of rows) out(deliveryView(row));
    if (rows.length === 0) process.stderr.write('(none)\n');
  } else if (command === 'replay') {
    if (!values.all && ids.length === 0) usage();
    if (ids.some((id) => !/^[0-9a-f-]{36}$/i.test(id))) {
      process.stderr.write('webhooks: delivery ids are UUIDs (see `list`)\n');
      process.exit(1);
    }
    await queue.start(false);
    const replayed = await replayDeliveries({ database, queue }, values.all ? {} : { ids });
    out({ replayed });
    if (!values.all && replayed.length < ids.length)
      process.stderr.write('some ids were not dead, failed or unmapped: left as they are\n');
  } else {
    usage();
  }
} catch (err) {
  process.stderr.write(`webhooks: ${(err as Error).message}\n`);
  process.exitCode = 1;
} finally {
  await queue.stop();
  await database.close();
}
