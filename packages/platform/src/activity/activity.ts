import type { ActivityEntry } from '@afenda/contracts';
import { schema, type Database } from '@afenda/db';
import { and, desc, eq, getTableColumns, gte, lte, type SQL } from 'drizzle-orm';
import { AppError } from '../errors.ts';
import { beyond, cursorTime, decodeCursor, keysetPage, type Cursor } from '../cursor.ts';

const t = schema.activityTimeline;
type Row = typeof t.$inferSelect;

export const toEntry = (r: Row): ActivityEntry => ({
  id: r.id,
  tenantId: r.tenantId,
  occurredAt: r.occurredAt.toISOString(),
  type: r.type,
  source: r.source,
  actorId: r.actorId,
  subjectType: r.subjectType,
  subjectId: r.subjectId,
  title: r.title,
  description: r.description,
  data: r.data,
});

export interface ActivityFilters {
  type?: string;
  source?: string;
  user?: string;
  since?: string;
  until?: string;
}

function where(tenantId: string, f: ActivityFilters, cursor?: Cursor): SQL | undefined {
  return and(
    eq(t.tenantId, tenantId),
    f.type ? eq(t.type, f.type) : undefined,
    f.source ? eq(t.source, f.source) : undefined,
    f.user ? eq(t.actorId, f.user) : undefined,
    f.since ? gte(t.occurredAt, new Date(f.since)) : undefined,
    f.until ? lte(t.occurredAt, new Date(f.until)) : undefined,
    cursor ? beyond(t.occurredAt, t.id, cursor, 'before') : undefined,
  );
}

/** Newest first, keyset-paginated on (occurred_at, id): page 1,000 costs what page 1 does. */
export async function listActivity(
  database: Database,
  tenantId: string,
  filters: ActivityFilters & { limit: number; cursor?: string },
): Promise<{ entries: ActivityEntry[]; nextCursor: string | null }> {
  const cursor = decodeCursor(filters.cursor);
  const rows = await database.withTenant(tenantId, (tx) =>
    tx
      .select({ ...getTableColumns(t), cursorAt: cursorTime(t.occurredAt) })
      .from(t)
      .where(where(tenantId, filters, cursor))
      .orderBy(desc(t.occurredAt), desc(t.id))
      .limit(filters.limit + 1),
  );
  const { page, nextCursor } = keysetPage(rows, filters.limit);
  return { entries: page.map(toEntry), nextCursor };
}

export async function getActivity(
  database: Database,
  tenantId: string,
  id: string,
): Promise<ActivityEntry> {
  const [row] = await database.withTenant(tenantId, (tx) =>
    tx
      .select()
      .from(t)
      .where(and(eq(t.tenantId, tenantId), eq(t.id, id))),
  );
  if (!row) throw new AppError('ACTIVITY_NOT_FOUND', 404, 'Activity entry not found');
  return toEntry(row);
}

/** Every entry matching the filters, oldest first, in batches: for streaming exports. */
export async function* exportActivity(
  database: Database,
  tenantId: string,
  filters: ActivityFilters,
  batch = 1000,
): AsyncGenerator<ActivityEntry> {
  let after: Cursor | undefined;
  for (;;) {
    const rows = await database.withTenant(tenantId, (tx) =>
      tx
        .select({ ...getTableColumns(t), cursorAt: cursorTime(t.occurredAt) })
        .from(t)
        .where(
          and(
            where(tenantId, filters),
            after ? beyond(t.occurredAt, t.id, after, 'after') : undefined,
          ),
        )
        .orderBy(t.occurredAt, t.id)
        .limit(batch),
    );
    for (const r of rows) yield toEntry(r);
    const last = rows.at(-1);
    if (!last || rows.length < batch) return;
    after = { at: last.cursorAt, id: last.id };
  }
}
