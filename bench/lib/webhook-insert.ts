/**
 * The foundation benchmark's unit of work: one realistic webhook row, one durable transaction,
 * written through the data layer; and pgbench's copy of that transaction. durable-insert measures
 * the two against each other; approval-flow uses pgbench's figure as the database's ceiling.
 */
import { schema, type Database, type EmbeddedPostgres } from '@afenda/db';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import {
  captureStatements,
  pgbenchScript,
  runPgbench,
  type Pgbench,
  type PgbenchTransaction,
  type Run,
} from './pgbench.ts';

const SOURCE = 'bench';
const EVENT_TYPE = 'message_created';
/** A webhook of realistic size (~0.5 kB), the same for both sides. */
const PAYLOAD = {
  event: 'message_created',
  id: 4711,
  content: 'Hello, could you confirm the delivery window for order 12345? Thanks!',
  message_type: 'incoming',
  created_at: '2025-01-01T12:00:00Z',
  conversation: { id: 815, status: 'open', inbox_id: 3, channel: 'Channel::WebWidget' },
  sender: { id: 42, name: 'Ada Lovelace', email: 'ada@example.com', type: 'contact' },
  account: { id: 1, name: 'Bench Org' },
  attachments: [],
};

const BODY = JSON.stringify(PAYLOAD);
const SIGNATURE = `sha256=${'ab'.repeat(32)}`;
const SIGNED_AT = new Date('2025-01-01T12:00:00Z');

/**
 * One row, one transaction, through the data layer exactly as the app writes a webhook. `body`:
 * the raw delivery stored (default a ~0.5 kB message; webhook-ingest passes its own).
 */
export function insertWebhook(
  database: Database,
  tenantId: string,
  deliveryId: string,
  body: string = BODY,
): Promise<unknown> {
  return database.transaction({ service: 'jobs' }, (tx) =>
    tx.insert(schema.webhookDeliveries).values({
      tenantId,
      source: SOURCE,
      deliveryId,
      accountRef: '1',
      eventType: EVENT_TYPE,
      signature: SIGNATURE,
      signedAt: SIGNED_AT,
      verified: true,
      body,
    }),
  );
}

/**
 * pgbench's transaction for the same insert, generated from what `insertWebhook` sends (one
 * probe row is written to find out); each pgbench row gets a delivery id `pgbench-…`.
 */
export async function pgbenchWebhookInsert(
  database: Database,
  tenantId: string,
  body?: string,
): Promise<PgbenchTransaction> {
  const probeId = `probe-${randomUUID()}`;
  const statements = await captureStatements(database, () =>
    insertWebhook(database, tenantId, probeId, body),
  );
  return pgbenchScript(statements, probeId);
}

/**
 * Empties webhook_deliveries and checkpoints, so the next measured run starts from the same state.
 * The app role may not TRUNCATE; the superuser may. After the checkpoint there are no dirty pages
 * to flush and full-page writes begin anew.
 */
export async function resetWebhookDeliveries(adminUrl: string): Promise<void> {
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query('truncate webhook_deliveries');
    await admin.query('checkpoint');
  } finally {
    await admin.end();
  }
}

/** Rows in webhook_deliveries whose delivery id starts with `prefix` (`pgbench-`, `ours-`). */
export async function countWebhookDeliveries(adminUrl: string, prefix: string): Promise<number> {
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    const { rows } = await admin.query<{ n: string }>(
      'select count(*) as n from webhook_deliveries where delivery_id like $1',
      [`${prefix}%`],
    );
    return Number(rows[0]?.n ?? 0);
  } finally {
    await admin.end();
  }
}

/**
 * The measured pgbench run of the webhook insert: from an empty table after a checkpoint, then
 * checked against the rows the table holds afterwards.
 */
export async function measureInserts(
  pgbench: Pgbench,
  embedded: EmbeddedPostgres,
  transaction: PgbenchTransaction,
  clients: number,
  durationS: number,
): Promise<Run & { output: string }> {
  await resetWebhookDeliveries(embedded.adminUrl);
  const run = await runPgbench(pgbench, embedded, transaction, clients, durationS);
  const inTable = await countWebhookDeliveries(embedded.adminUrl, 'pgbench-');
  if (inTable !== run.rows) {
    throw new Error(`row counts do not match: pgbench reported ${run.rows}, table has ${inTable}`);
  }
  return run;
}
