import { schema, type Database } from '@afenda/db';
import { createTestDatabase, type TestDatabase } from '@afenda/test-utils';
import { eq, inArray } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeliveryWriter, type DeliveryInsert, type WriteResult } from './group-commit.ts';

const D = schema.webhookDeliveries;
let tdb: TestDatabase;
let transactions = 0;
/** The test database, counting the transactions the writer opens. */
let counted: Database;

beforeAll(async () => {
  tdb = await createTestDatabase();
  counted = {
    ...tdb.database,
    transaction: (context, fn) => {
      transactions += 1;
      return tdb.database.transaction(context, fn);
    },
  };
});
afterAll(async () => tdb?.drop());

const row = (deliveryId: string, extra: Partial<DeliveryInsert> = {}): DeliveryInsert => ({
  source: 'group-commit-test',
  deliveryId,
  eventType: 'message_created',
  verified: false,
  body: JSON.stringify({ deliveryId }),
  status: 'ignored',
  ...extra,
});

/** Rows of these delivery ids, read by another connection: only what is committed. */
const committed = (ids: string[]) =>
  tdb.database.transaction({ service: 'jobs' }, (tx) =>
    tx.select({ id: D.id, deliveryId: D.deliveryId }).from(D).where(inArray(D.deliveryId, ids)),
  );

const stored = (r: WriteResult) => {
  if ('conflict' in r) throw new Error('expected a stored row');
  return r;
};

describe('group commit of webhook deliveries', () => {
  it('stores many concurrent deliveries in fewer transactions, each committed when it resolves', async () => {
    const writer = new DeliveryWriter(counted, { maxBatch: 32, maxInFlight: 2 });
    const ids = Array.from({ length: 200 }, (_, i) => `many-${i}`);
    transactions = 0;
    const visibleOnResolve = await Promise.all(
      ids.map(async (id) => {
        const result = stored(await writer.write(row(id)));
        // Acknowledged only once durable: another connection sees the row at once.
        const [seen] = await committed([id]);
        return seen?.id === result.id && !result.duplicate;
      }),
    );
    expect(visibleOnResolve.every(Boolean)).toBe(true);
    expect(await committed(ids)).toHaveLength(200);
    expect(transactions).toBeGreaterThan(0);
    expect(transactions).toBeLessThan(200 / 4);
  });

  it('answers a repeat within one batch as the duplicate of the row it stored', async () => {
    const writer = new DeliveryWriter(counted);
    const results = (
      await Promise.all([
        ...Array.from({ length: 10 }, () => writer.write(row('same-id'))),
        writer.write(row('replayed-a', { replayKey: 'signed-payload-1' })),
        writer.write(row('replayed-b', { replayKey: 'signed-payload-1' })),
      ])
    ).map(stored);
    const same = results.slice(0, 10);
    expect(same.filter((r) => !r.duplicate)).toHaveLength(1);
    expect(new Set(same.map((r) => r.id)).size).toBe(1);
    expect(results[10]).toMatchObject({ duplicate: false });
    expect(results[11]).toMatchObject({ duplicate: true, id: results[10]?.id });
    expect(await committed(['same-id', 'replayed-a', 'replayed-b'])).toHaveLength(2);
  });

  it('says a delivery already stored by an earlier batch conflicts', async () => {
    const writer = new DeliveryWriter(counted);
    stored(await writer.write(row('earlier')));
    const again = await Promise.all([writer.write(row('earlier')), writer.write(row('later'))]);
    expect(again[0]).toEqual({ conflict: true });
    expect(stored(again[1] as WriteResult).duplicate).toBe(false);
  });

  it('keeps the other rows of a batch when one of them cannot be stored', async () => {
    const writer = new DeliveryWriter(counted, { maxBatch: 64, maxInFlight: 1 });
    const good = Array.from({ length: 20 }, (_, i) => `good-${i}`);
    const settled = await Promise.allSettled([
      ...good.slice(0, 10).map((id) => writer.write(row(id))),
      // PostgreSQL text cannot hold a NUL: this row's INSERT fails.
      writer.write(row('bad', { body: 'nul \u0000 byte' })),
      ...good.slice(10).map((id) => writer.write(row(id))),
    ]);
    expect(settled[10]?.status).toBe('rejected');
    expect(settled.filter((s) => s.status === 'fulfilled')).toHaveLength(20);
    expect(await committed(good)).toHaveLength(20);
    expect(
      await tdb.database.transaction({ service: 'jobs' }, (tx) =>
        tx.select().from(D).where(eq(D.deliveryId, 'bad')),
      ),
    ).toHaveLength(0);
  });
});
