/**
 * `afenda webhooks …` and `afenda outbound …`: the stored work in both directions, every
 * organisation's (operators), its dead letters, and replay. Connects as the application role and
 * acts in the jobs context; a replay queues the work for the running workers.
 */
import { schema } from '@afenda/db';
import { JobQueue } from '@afenda/platform/jobs/queue';
import { replayOutbound } from '@afenda/platform/outbound/outbound';
import {
  deliveryView,
  listDeliveries,
  replayDeliveries,
  type DeliveryStatus,
} from '@afenda/platform/webhooks/deliveries';
import { and, desc, eq } from 'drizzle-orm';
import { pino } from 'pino';
import type { Database } from '@afenda/db';
import { CliError, openDatabase, print, uuidArg, type Column, type Io } from './kit.ts';
import type { Parsed } from './args.ts';

const DELIVERY_STATUSES = ['received', 'processed', 'ignored', 'failed', 'dead', 'unmapped'];
const OUTBOUND_STATUSES = ['pending', 'done', 'failed', 'dead'];

function limitOf(args: Parsed): number {
  const limit = Number(args.values.limit ?? 50);
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000)
    throw new CliError(`--limit is a whole number from 1 to 1000, not "${args.values.limit}"`);
  return limit;
}

function statusOf(args: Parsed, allowed: string[]): string | undefined {
  const status = args.values.status as string | undefined;
  if (status && !allowed.includes(status))
    throw new CliError(`--status is one of ${allowed.join(', ')}, not "${status}"`);
  return status;
}

/** Ids to replay, or all of them with --all; never neither. */
function replayIds(args: Parsed, what: string): string[] | undefined {
  const ids = args.positionals.slice(1);
  if (args.values.all && ids.length) throw new CliError('give ids or --all, not both');
  if (!args.values.all && ids.length === 0)
    throw new CliError(`replay needs ${what} ids (see \`list\`) or --all`);
  return args.values.all
    ? undefined
    : ids.map((id) => uuidArg(id, `${/^[aeiou]/.test(what) ? 'an' : 'a'} ${what}`));
}

async function withQueue<T>(url: string, fn: (queue: JobQueue) => Promise<T>): Promise<T> {
  const queue = new JobQueue({
    connectionString: url,
    concurrency: 1,
    pollIntervalMs: 1000,
    logger: pino({ level: 'warn' }),
  });
  await queue.start(false);
  try {
    return await fn(queue);
  } finally {
    await queue.stop();
  }
}

/** One direction of stored work: how to list it, replay it, and show it. */
interface WorkKind<Row> {
  name: string;
  statuses: string[];
  /** "a delivery": what an id names, in mistakes. */
  one: string;
  /** "deliveries", "outbound actions": what replay counts. */
  plural: (n: number) => string;
  replayableFrom: string;
  list(database: Database, status: string | undefined, limit: number): Promise<Row[]>;
  replay(deps: { database: Database; queue: JobQueue }, ids?: string[]): Promise<string[]>;
  columns: Column<Row>[];
}

function workCommand<Row>(kind: WorkKind<Row>) {
  return async (args: Parsed, io: Io): Promise<number> => {
    const [sub] = args.positionals;
    if (!['list', 'dead-letters', 'replay'].includes(sub ?? ''))
      throw new CliError(
        `usage: ${kind.name} list [--status s] [--limit n] | dead-letters | replay <id…> | replay --all`,
      );
    const status = statusOf(args, kind.statuses);
    const limit = limitOf(args);
    const ids = sub === 'replay' ? replayIds(args, kind.one) : undefined;
    const { url, database } = await openDatabase();
    try {
      if (sub === 'replay') {
        const replayed = await withQueue(url, (queue) => kind.replay({ database, queue }, ids));
        if (args.values.json) io.out(JSON.stringify({ replayed }));
        else io.out(`replayed ${replayed.length} ${kind.plural(replayed.length)}`);
        if (ids && replayed.length < ids.length)
          io.err(`some ids were not ${kind.replayableFrom}: left as they are`);
        return 0;
      }
      const rows = await kind.list(database, sub === 'dead-letters' ? 'dead' : status, limit);
      print(io, Boolean(args.values.json), rows, kind.columns);
      return 0;
    } finally {
      await database.close();
    }
  };
}

export const webhooksCommand = workCommand({
  name: 'webhooks',
  statuses: DELIVERY_STATUSES,
  one: 'delivery',
  plural: (n) => (n === 1 ? 'delivery' : 'deliveries'),
  replayableFrom: 'dead, failed or unmapped',
  list: async (database, status, limit) =>
    (await listDeliveries(database, { status: status as DeliveryStatus | undefined, limit })).map(
      deliveryView,
    ),
  replay: (deps, ids) => replayDeliveries(deps, ids ? { ids } : {}),
  columns: [
    { label: 'ID', value: (r) => r.id },
    { label: 'SOURCE', value: (r) => r.source },
    { label: 'EVENT', value: (r) => r.eventType },
    { label: 'STATUS', value: (r) => r.status },
    { label: 'TRIES', value: (r) => r.attempts },
    { label: 'RECEIVED', value: (r) => r.receivedAt },
    { label: 'WHY', value: (r) => r.lastError ?? r.reason },
  ],
});

const O = schema.outboundActions;

export const outboundCommand = workCommand({
  name: 'outbound',
  statuses: OUTBOUND_STATUSES,
  one: 'outbound action',
  plural: (n) => (n === 1 ? 'outbound action' : 'outbound actions'),
  replayableFrom: 'dead or failed',
  list: (database, status, limit) =>
    database.transaction({ service: 'jobs' }, (tx) =>
      tx
        .select({
          id: O.id,
          tenantId: O.tenantId,
          kind: O.kind,
          subjectId: O.subjectId,
          status: O.status,
          attempts: O.attempts,
          lastError: O.lastError,
          createdAt: O.createdAt,
        })
        .from(O)
        .where(and(status ? eq(O.status, status as 'pending') : undefined))
        .orderBy(desc(O.createdAt), desc(O.id))
        .limit(limit),
    ),
  replay: (deps, ids) => replayOutbound(deps, null, ids),
  columns: [
    { label: 'ID', value: (r) => r.id },
    { label: 'KIND', value: (r) => r.kind },
    { label: 'SUBJECT', value: (r) => r.subjectId },
    { label: 'STATUS', value: (r) => r.status },
    { label: 'TRIES', value: (r) => r.attempts },
    { label: 'CREATED', value: (r) => r.createdAt },
    { label: 'ERROR', value: (r) => r.lastError },
  ],
});
