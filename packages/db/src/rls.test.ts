import { createTestDatabase, TEST_APP_ROLE, type TestDatabase } from '@afenda/test-utils';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase } from './client.ts';
import { assertUnprivilegedRole, migrate, migrationStatus } from './migrate.ts';
import { activityTimeline, approvals, tenants, users } from './schema/index.ts';

let tdb: TestDatabase;
let acme: string;
let globex: string;
let alice: string;

beforeAll(async () => {
  tdb = await createTestDatabase();
  await tdb.database.transaction({ sync: true }, async (tx) => {
    const [a] = await tx
      .insert(tenants)
      .values({ kind: 'organization', slug: 'acme', name: 'Acme' })
      .returning();
    const [g] = await tx
      .insert(tenants)
      .values({ kind: 'organization', slug: 'globex', name: 'Globex' })
      .returning();
    const [u] = await tx
      .insert(users)
      .values({ keycloakId: 'kc-alice', username: 'alice', displayName: 'Alice' })
      .returning();
    acme = a!.id;
    globex = g!.id;
    alice = u!.id;
  });
  await tdb.database.withTenant(acme, (tx) =>
    tx.insert(approvals).values([
      { tenantId: acme, type: 'generic', title: 'Acme one', requestedBy: alice },
      { tenantId: acme, type: 'generic', title: 'Acme two', requestedBy: alice },
    ]),
  );
  await tdb.database.withTenant(globex, (tx) =>
    tx
      .insert(approvals)
      .values({ tenantId: globex, type: 'generic', title: 'Globex one', requestedBy: alice }),
  );
});

afterAll(async () => {
  await tdb?.drop();
});

/** Drizzle wraps driver errors; the database's own message is the cause. */
async function failure(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (err) {
    const e = err as Error & { cause?: Error };
    return `${e.message} ${e.cause?.message ?? ''}`;
  }
  throw new Error('expected the database to refuse');
}

const titles = (rows: { title: string }[]) => rows.map((r) => r.title).sort();

describe('row-level security, as the application role', () => {
  it('connects as a role that is not a superuser, has no BYPASSRLS and owns no table', async () => {
    await expect(assertUnprivilegedRole(tdb.database.pool)).resolves.toBeUndefined();
    const { rows } = await tdb.database.pool.query<{
      rolsuper: boolean;
      rolbypassrls: boolean;
      owned: number;
    }>(
      `select rolsuper, rolbypassrls,
              (select count(*)::int from pg_tables where tableowner = current_user) as owned
         from pg_roles where rolname = current_user`,
    );
    expect(rows[0]).toEqual({ rolsuper: false, rolbypassrls: false, owned: 0 });
  });

  it('refuses to run the app as a superuser', async () => {
    const superDb = createDatabase({ url: tdb.adminUrl, max: 1 });
    try {
      await expect(assertUnprivilegedRole(superDb.pool)).rejects.toThrow(
        /superuser.*row-level security would not apply/,
      );
    } finally {
      await superDb.close();
    }
  });

  it('sees no tenant rows with no tenant set', async () => {
    const rows = await tdb.database.transaction({}, (tx) => tx.select().from(approvals));
    expect(rows).toEqual([]);
    // Even a bare query outside any transaction helper.
    const bare = await tdb.database.pool.query('select * from approvals');
    expect(bare.rows).toEqual([]);
  });

  it("sees only the current tenant's rows", async () => {
    expect(
      titles(await tdb.database.withTenant(acme, (tx) => tx.select().from(approvals))),
    ).toEqual(['Acme one', 'Acme two']);
    expect(
      titles(await tdb.database.withTenant(globex, (tx) => tx.select().from(approvals))),
    ).toEqual(['Globex one']);
  });

  it('cannot write into another tenant, nor move a row to it', async () => {
    expect(
      await failure(
        tdb.database.withTenant(acme, (tx) =>
          tx
            .insert(approvals)
            .values({ tenantId: globex, type: 'generic', title: 'smuggled', requestedBy: alice }),
        ),
      ),
    ).toMatch(/row-level security/);
    expect(
      await failure(
        tdb.database.withTenant(acme, (tx) => tx.update(approvals).set({ tenantId: globex })),
      ),
    ).toMatch(/row-level security/);
    const updated = await tdb.database.withTenant(globex, (tx) =>
      tx
        .update(approvals)
        .set({ title: 'renamed' })
        .where(sql`${approvals.tenantId} = ${acme}`)
        .returning(),
    );
    expect(updated).toEqual([]);
  });

  it('keeps the tenant setting inside its transaction: the next user of the connection sees nothing', async () => {
    const single = createDatabase({ url: tdb.appUrl, max: 1 });
    try {
      expect(await single.withTenant(acme, (tx) => tx.select().from(approvals))).toHaveLength(2);
      const after = await single.pool.query<{ t: string | null }>(
        "select current_setting('app.tenant_id', true) as t",
      );
      expect(after.rows[0]?.t ?? '').toBe('');
      expect((await single.pool.query('select * from approvals')).rows).toEqual([]);
    } finally {
      await single.close();
    }
  });

  it('hides the directory without a user or tenant, and shows a user only their own tenants', async () => {
    expect((await tdb.database.pool.query('select * from tenants')).rows).toEqual([]);
    expect((await tdb.database.pool.query('select * from users')).rows).toEqual([]);
    await expect(
      tdb.database.pool.query(
        "insert into tenants (kind, slug, name) values ('organization', 'rogue', 'Rogue')",
      ),
    ).rejects.toThrow(/row-level security/);
    const mine = await tdb.database.transaction({ userId: alice }, (tx) =>
      tx.select().from(tenants),
    );
    expect(mine).toEqual([]); // alice has no membership yet
  });

  it('keeps the activity timeline append-only', async () => {
    await tdb.database.withTenant(acme, (tx) =>
      tx.insert(activityTimeline).values({
        tenantId: acme,
        source: 'test',
        verb: 'created',
        subjectType: 'thing',
        subjectId: '1',
        type: 'thing.created',
        title: 's',
      }),
    );
    expect(
      await failure(
        tdb.database.withTenant(acme, (tx) =>
          tx.update(activityTimeline).set({ title: 'changed' }),
        ),
      ),
    ).toMatch(/permission denied/);
    expect(
      await failure(tdb.database.withTenant(acme, (tx) => tx.delete(activityTimeline))),
    ).toMatch(/permission denied/);
    // Not even the owner may rewrite history: the trigger stops it.
    expect(await failure(tdb.admin.query('delete from activity_timeline'))).toMatch(/append-only/);
  });

  it('forces RLS on every tenant-owned table and leads their indexes with tenant_id', async () => {
    const { rows } = await tdb.admin.query<{
      relname: string;
      relrowsecurity: boolean;
      relforcerowsecurity: boolean;
    }>(
      `select c.relname, c.relrowsecurity, c.relforcerowsecurity
         from pg_class c join pg_attribute a on a.attrelid = c.oid and a.attname = 'tenant_id'
        where c.relkind = 'r' and c.relnamespace = 'public'::regnamespace`,
    );
    expect(rows.map((r) => r.relname).sort()).toEqual(
      expect.arrayContaining([
        'activity_timeline',
        'approvals',
        'module_settings',
        'user_tenants',
        'webhook_deliveries',
        'conversations',
        'conversation_messages',
        'outbound_actions',
      ]),
    );
    for (const r of rows)
      expect(r, r.relname).toMatchObject({ relrowsecurity: true, relforcerowsecurity: true });
    const idx = await tdb.admin.query<{ tbl: string; indexdef: string; first: string }>(
      `select t.relname as tbl, pg_get_indexdef(i.indexrelid) as indexdef, a.attname as first
         from pg_index i join pg_class t on t.oid = i.indrelid
         join pg_attribute a on a.attrelid = t.oid and a.attnum = i.indkey[0]
        where t.relname = any($1)`,
      [rows.map((r) => r.relname).filter((n) => !['user_tenants', 'active_tenants'].includes(n))], // keyed by user
    );
    // The few indexes that serve work across tenants, each on purpose: deliveries are stored
    // (and deduplicated) before their tenant is known, and the sweepers look for due work.
    const crossTenant = [
      'webhook_deliveries_pkey',
      'webhook_deliveries_delivery_key',
      'webhook_deliveries_due_idx',
      // Replays and the unmapped limits are checked before the tenant is known, too.
      'webhook_deliveries_replay_key',
      'webhook_deliveries_unmapped_idx',
      'outbound_actions_due_idx',
      // Retention purges by age across tenants (migration 0016).
      'webhook_deliveries_body_retention_idx',
      'webhook_deliveries_received_brin',
      'outbound_actions_done_idx',
      // The stream's log is read across tenants by its fan-out reader (its tail, and expiry by age).
      'stream_events_seq_idx',
      'stream_events_created_brin',
      // Synapse's ids (rooms, events) map to tenants before the tenant is known: a transaction
      // spans organisations, and a reply or reaction names only its event.
      'chat_rooms_room_id_key',
      'chat_rooms_org_idx',
      'chat_notices_event_id_key',
      'chat_notices_approval_user_key',
      'chat_notices_room_idx',
    ];
    for (const i of idx.rows.filter((r) => !crossTenant.some((n) => r.indexdef.includes(` ${n} `))))
      expect(i.first, i.indexdef).toBe('tenant_id');
  });
});

describe('migrations', () => {
  it('are recorded, idempotent, and refuse an edited history', async () => {
    expect(await migrationStatus(tdb.database.pool)).toMatchObject({ pending: [] });
    await expect(migrate(tdb.admin, { appRole: TEST_APP_ROLE })).resolves.toEqual({ applied: [] });
    await tdb.admin.query(
      "update afenda_migrations set checksum = 'edited' where version = '0001'",
    );
    try {
      await expect(migrate(tdb.admin)).rejects.toThrow(/changed after it was applied/);
    } finally {
      const { readMigrations } = await import('./migrate.ts');
      const [first] = await readMigrations();
      await tdb.admin.query("update afenda_migrations set checksum = $1 where version = '0001'", [
        first!.checksum,
      ]);
    }
  });
});
