/**
 * The whiteboard module's tables (migrations/0009_whiteboards.sql), through the data layer as
 * the application role: boards, versions and links are each tenant's own; the application never
 * deletes a board (it is deleted softly), only its versions and links; a stored document has
 * tldraw's snapshot shape. Kept here so the tests go with the module.
 */
import { createTestDatabase, type TestDatabase } from '@afenda/test-utils';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { whiteboards, whiteboardVersions, whiteboardLinks } from './server/schema.ts';

const EMPTY = { schema: {}, store: {} };
/** What the database said, under the query builder's wrapping error. */
const refusedWith = (pattern: RegExp) => ({ cause: { message: expect.stringMatching(pattern) } });

let tdb: TestDatabase;
let initech: string;
let umbrella: string;
let boardId: string;

beforeAll(async () => {
  tdb = await createTestDatabase();
  // Seeded as the superuser, underneath row-level security.
  const { rows } = await tdb.admin.query<{ id: string }>(
    `insert into tenants (kind, slug, name)
     values ('organization', 'initech', 'Initech'), ('organization', 'umbrella', 'Umbrella')
     returning id`,
  );
  [initech, umbrella] = rows.map((r) => r.id) as [string, string];
  const [board] = await tdb.database.withTenant(initech, async (tx) => {
    const created = await tx
      .insert(whiteboards)
      .values({ tenantId: initech, title: 'Plan', document: EMPTY, documentBytes: 24 })
      .returning();
    await tx.insert(whiteboardVersions).values({
      tenantId: initech,
      boardId: created[0]!.id,
      version: 1,
      document: EMPTY,
      documentBytes: 24,
      revision: 1,
      reason: 'created',
    });
    await tx.insert(whiteboardLinks).values({
      tenantId: initech,
      boardId: created[0]!.id,
      subjectType: 'approval',
      subjectId: 'a-1',
    });
    return created;
  });
  boardId = board!.id;
});
afterAll(async () => tdb?.drop());

describe("the whiteboard module's tables", () => {
  it('force row-level security on boards, versions and links, and show them to their tenant only', async () => {
    const tables = ['whiteboard_links', 'whiteboard_versions', 'whiteboards'];
    const { rows } = await tdb.admin.query<{ relname: string; relforcerowsecurity: boolean }>(
      `select relname, relforcerowsecurity from pg_class
        where relname = any($1) and relkind = 'r' order by relname`,
      [tables],
    );
    expect(rows).toEqual(tables.map((relname) => ({ relname, relforcerowsecurity: true })));
    const seen = (tenantId: string) =>
      tdb.database.withTenant(tenantId, async (tx) => [
        (await tx.select().from(whiteboards)).length,
        (await tx.select().from(whiteboardVersions)).length,
        (await tx.select().from(whiteboardLinks)).length,
      ]);
    expect(await seen(initech)).toEqual([1, 1, 1]);
    expect(await seen(umbrella)).toEqual([0, 0, 0]);
  });

  it('let the application delete versions and links, never a board', async () => {
    await expect(
      tdb.database.withTenant(initech, (tx) =>
        tx.delete(whiteboards).where(eq(whiteboards.id, boardId)),
      ),
    ).rejects.toMatchObject(refusedWith(/permission denied for table whiteboards/));
    const deleted = await tdb.database.withTenant(initech, async (tx) => [
      (await tx.delete(whiteboardLinks).returning()).length,
      (await tx.delete(whiteboardVersions).returning()).length,
    ]);
    expect(deleted).toEqual([1, 1]);
  });

  it("refuse a document without tldraw's schema and store", async () => {
    await expect(
      tdb.database.withTenant(initech, (tx) =>
        tx.insert(whiteboards).values({
          tenantId: initech,
          title: 'Broken',
          document: { store: {} } as unknown as typeof EMPTY,
          documentBytes: 11,
        }),
      ),
    ).rejects.toMatchObject(refusedWith(/whiteboards_document_shape/));
  });
});
