import { sql } from 'drizzle-orm';
import { drizzle, type NodePgDatabase } from 'drizzle-orm/node-postgres';
import pg from 'pg';
import * as schema from './schema/index.ts';

export type Db = NodePgDatabase<typeof schema>;
export type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];

/** Who a transaction acts for. Row-level security reads these; nothing else should. */
export interface TxContext {
  tenantId?: string | null;
  userId?: string | null;
  /** The subject (Keycloak user id) of a verified token: lets the user read their own row. */
  subject?: string | null;
  /** Cross-tenant directory writes (identity sync, demo seed). Never from a request handler. */
  sync?: boolean;
}

export interface Database {
  pool: pg.Pool;
  db: Db;
  /** Runs fn in one transaction with the tenant (and user) set for that transaction only. */
  withTenant<T>(tenantId: string, fn: (tx: Tx) => Promise<T>, userId?: string | null): Promise<T>;
  /** Runs fn in one transaction in the given context; see TxContext. */
  transaction<T>(context: TxContext, fn: (tx: Tx) => Promise<T>): Promise<T>;
  ping(): Promise<number>;
  stats(): { total: number; idle: number; waiting: number; max: number };
  close(): Promise<void>;
}

export interface DatabaseOptions {
  url: string;
  max?: number;
  applicationName?: string;
  statementTimeoutMs?: number;
}

export function createDatabase(options: DatabaseOptions): Database {
  const max = options.max ?? 10;
  const pool = new pg.Pool({
    connectionString: options.url,
    max,
    application_name: options.applicationName ?? 'afenda-orchestrator',
    connectionTimeoutMillis: 5_000,
    idleTimeoutMillis: 30_000,
    ...(options.statementTimeoutMs ? { statement_timeout: options.statementTimeoutMs } : {}),
  });
  // An idle client that loses its server (a database restart) must not crash the process;
  // the pool drops it and the next checkout opens a fresh connection.
  pool.on('error', () => undefined);
  const db = drizzle(pool, { schema });

  const transaction = <T>(context: TxContext, fn: (tx: Tx) => Promise<T>): Promise<T> =>
    db.transaction(async (tx) => {
      // set_config(..., true) is transaction-local: nothing leaks to the next user of the connection.
      await tx.execute(
        sql`select set_config('app.tenant_id', ${context.tenantId ?? ''}, true),
                   set_config('app.user_id', ${context.userId ?? ''}, true),
                   set_config('app.subject', ${context.subject ?? ''}, true),
                   set_config('app.sync', ${context.sync ? 'on' : ''}, true)`,
      );
      return fn(tx);
    });

  return {
    pool,
    db,
    transaction,
    withTenant: (tenantId, fn, userId) => transaction({ tenantId, userId: userId ?? null }, fn),
    async ping() {
      const started = performance.now();
      await pool.query('select 1');
      return performance.now() - started;
    },
    stats: () => ({
      total: pool.totalCount,
      idle: pool.idleCount,
      waiting: pool.waitingCount,
      max,
    }),
    close: () => pool.end(),
  };
}
