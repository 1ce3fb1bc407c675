import { sql } from 'drizzle-orm';
import { drizzle, type NodePgDatabase } from 'drizzle-orm/node-postgres';
import pg from 'pg';
import * as schema from './schema/index.ts';

export type Db = NodePgDatabase<typeof schema>;
/** What a transaction's callback receives: the query builder bound to that transaction's connection. */
export type Tx = Db;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Distinct statement texts given a name, at most (beyond it, texts run unnamed, as before). */
export const MAX_NAMED_STATEMENTS = 1000;
const statementNames = new Map<string, string>();

/**
 * Named statements: a parameterised query's text gets a name the first time this process sees
 * it, and node-postgres then has each connection parse and plan it once, then only bind and
 * execute it (PostgreSQL's plan cache), instead of parsing and planning it on every call:
 * planning was 1.2 ms of PostgreSQL's 3.7 ms of CPU per webhook delivery processed (bench
 * webhook-ingest with pg_stat_statements, bench/README.md). Queries without parameters (BEGIN,
 * the context's settings, several statements in one) stay on the simple protocol. Row-level
 * security is unchanged: policies read the transaction's settings when a plan runs.
 */
function nameStatements(client: pg.PoolClient): void {
  // The prototype's, looked up on each call (whatever wraps it meanwhile still sees the query).
  const proto = Object.getPrototypeOf(client) as { query: (...args: unknown[]) => unknown };
  const query = (...args: unknown[]) => proto.query.apply(client, args);
  const named = (config: unknown, values?: unknown, callback?: unknown): unknown => {
    if (
      config !== null &&
      typeof config === 'object' &&
      !('submit' in config) &&
      !('name' in config && config.name) &&
      'text' in config &&
      typeof config.text === 'string'
    ) {
      const params = Array.isArray(values) ? values : (config as { values?: unknown[] }).values;
      let name = statementNames.get(config.text);
      if (!name && params?.length && statementNames.size < MAX_NAMED_STATEMENTS) {
        name = `afenda_${statementNames.size}`;
        statementNames.set(config.text, name);
      }
      if (name && params?.length) return query({ ...config, name }, values, callback);
    }
    return query(config, values, callback);
  };
  (client as unknown as { query: typeof named }).query = named;
}

/** Who a transaction acts for. Row-level security reads these; nothing else should. */
export interface TxContext {
  tenantId?: string | null;
  userId?: string | null;
  /** The subject (Keycloak user id) of a verified token: lets the user read their own row. */
  subject?: string | null;
  /** Cross-tenant directory writes (identity sync, demo seed). Never from a request handler. */
  sync?: boolean;
  /**
   * Background work across tenants: 'jobs' (webhook ingestion, job workers), 'retention' (the
   * purge of what has expired, migration 0016). Never from a handler.
   */
  service?: 'jobs' | 'retention';
  /** The live stream's fan-out reader: reads every tenant's stream events. Never from a request handler. */
  fanout?: boolean;
}

const commitCallbacks = new WeakMap<Tx, (() => void)[]>();
const tenantOfTx = new WeakMap<Tx, string>();

/**
 * Each connection's drizzle instance, built once: drizzle(client, { schema }) walks the whole
 * schema (its relational config) every time, which the drain's profile showed among its top
 * frames when it was built per transaction. Every transaction gets a fresh object over it
 * (Object.create): the same session and dialect, but its own identity, which the commit hooks
 * and the tenant of the transaction are keyed by.
 */
const dbOfClient = new WeakMap<pg.PoolClient, Db>();
function txFor(client: pg.PoolClient): Tx {
  let base = dbOfClient.get(client);
  if (!base) {
    base = drizzle(client, { schema });
    dbOfClient.set(client, base);
  }
  return Object.create(base) as Tx;
}

/**
 * Sets the tenant the following statements of tx act in (row-level security reads it per
 * statement): for work that spans tenants in one transaction, e.g. a Matrix transaction over an
 * organisation's rooms. Writes gathered for the commit (beforeCommit) read it with tenantOf.
 */
export async function actInTenant(tx: Tx, tenantId: string): Promise<void> {
  await tx.execute(sql`select set_config('app.tenant_id', ${tenantId}, true)`);
  tenantOfTx.set(tx, tenantId);
}

/** The tenant tx acts in now ('' for none): its context's, or the last actInTenant's. */
export function tenantOf(tx: Tx): string {
  return tenantOfTx.get(tx) ?? '';
}
const beforeCommitCallbacks = new WeakMap<Tx, (() => Promise<void>)[]>();

/**
 * Runs fn in the transaction tx, after its callback returned and just before COMMIT (a failure
 * rolls the transaction back): for writes gathered along the way and sent as one statement.
 */
export function beforeCommit(tx: Tx, fn: () => Promise<void>): void {
  const list = beforeCommitCallbacks.get(tx);
  if (list) list.push(fn);
  else beforeCommitCallbacks.set(tx, [fn]);
}

/**
 * Runs fn once the transaction tx commits (never if it rolls back): for signals that must not
 * be sent before what they announce is visible, and must stay out of the transaction itself.
 */
export function afterCommit(tx: Tx, fn: () => void): void {
  const list = commitCallbacks.get(tx);
  if (list) list.push(fn);
  else commitCallbacks.set(tx, [fn]);
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
    // Queries are written without waiting for the one before to be answered (see transaction).
    pipeline: true,
    ...(options.statementTimeoutMs ? { statement_timeout: options.statementTimeoutMs } : {}),
  });
  // An idle client that loses its server (a database restart) must not crash the process;
  // the pool drops it and the next checkout opens a fresh connection.
  pool.on('error', () => undefined);
  pool.on('connect', nameStatements);
  const db = drizzle(pool, { schema });

  /**
   * One transaction with the context set for it alone (set_config(..., true) is
   * transaction-local: nothing leaks to the next user of the connection). BEGIN and the
   * settings travel as one simple-protocol query with the values as escaped literals (ids are
   * checked to be UUIDs first), pipelined with the first statement: a one-statement transaction
   * is two round trips (that, and COMMIT), not four.
   */
  const transaction = async <T>(context: TxContext, fn: (tx: Tx) => Promise<T>): Promise<T> => {
    for (const [name, value] of [
      ['tenantId', context.tenantId],
      ['userId', context.userId],
    ] as const) {
      if (value && !UUID.test(value)) throw new TypeError(`${name} must be a UUID`);
    }
    const client = await pool.connect();
    let broken: Error | undefined;
    // A checked-out client has no listener of its own: a connection cut mid-transaction (the
    // server restarted) would be an unhandled 'error' event and end the process. The query in
    // flight fails with it anyway; the client is destroyed, not returned.
    const onError = (err: Error) => (broken ??= err);
    client.on('error', onError);
    try {
      const lit = (v: string | null | undefined) => client.escapeLiteral(v ?? '');
      // Not awaited: the pool's connections pipeline, so the transaction's first statement is
      // written right behind BEGIN and the settings, and a one-statement transaction costs two
      // round trips. If they fail, that statement fails too (an aborted transaction, or no
      // tenant set: row-level security shows nothing), and their error is the one reported.
      let failedToBegin: Error | undefined;
      const begun = client
        .query(
          `begin; select set_config('app.tenant_id', ${lit(context.tenantId)}, true), ` +
            `set_config('app.user_id', ${lit(context.userId)}, true), ` +
            `set_config('app.subject', ${lit(context.subject)}, true), ` +
            `set_config('app.sync', ${lit(context.sync ? 'on' : '')}, true), ` +
            `set_config('app.service', ${lit(context.service)}, true)` +
            (context.fanout ? `, set_config('app.fanout', 'on', true)` : ''),
        )
        .then(
          () => undefined,
          (err: Error) => {
            failedToBegin = err;
            broken = err; // the connection's state is unknown: don't reuse it
          },
        );
      try {
        const tx = txFor(client);
        tenantOfTx.set(tx, context.tenantId ?? '');
        let result: T;
        try {
          result = await fn(tx);
        } finally {
          await begun;
        }
        if (failedToBegin) throw failedToBegin;
        for (const step of beforeCommitCallbacks.get(tx) ?? []) await step();
        await client.query('commit');
        for (const callback of commitCallbacks.get(tx) ?? []) {
          try {
            callback();
          } catch {
            // A signal after the fact must not turn a committed transaction into an error.
          }
        }
        return result;
      } catch (err) {
        if (failedToBegin) throw failedToBegin;
        await client.query('rollback').catch((e: Error) => (broken = e));
        throw err;
      }
    } finally {
      // A connection whose state we can't vouch for is destroyed, not returned to the pool.
      client.removeListener('error', onError);
      client.release(broken);
    }
  };

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
