import { type IsolationLevel, Kysely, sql, type Transaction } from 'kysely';
import { ClientDialect } from './client-dialect.js';
import {
  DEFAULT_ACQUIRE_TIMEOUT_MS,
  DEFAULT_MAX_CONNECTIONS,
  type DatabaseConfig,
  type DatabaseKind,
  type DatabaseOpenOptions,
} from './database-config.js';
import { migrateToLatest } from './migrations/index.js';
import { openPglite } from './pglite/open-pglite.js';
import { PgliteClientPool } from './pglite/pglite-pool.js';
import { PgClientPool } from './postgres/pg-pool.js';
import type { SqlClientPool } from './sql-client.js';
import type { Tables } from './tables.js';

async function openPool(config: DatabaseConfig, options: DatabaseOpenOptions): Promise<SqlClientPool> {
  const acquireTimeoutMs = options.acquireTimeoutMs ?? DEFAULT_ACQUIRE_TIMEOUT_MS;
  if (config.kind === 'postgres') {
    const maxConnections = options.maxConnections ?? DEFAULT_MAX_CONNECTIONS;
    return PgClientPool.create({ url: config.url, maxConnections, acquireTimeoutMs });
  }
  const { pglite, lock } = await openPglite({
    dataDir: config.dataDir,
    snapshot: options.pgliteSnapshot,
    sharedBuffersMb: config.sharedBuffersMb,
  });
  return new PgliteClientPool(pglite, acquireTimeoutMs, lock);
}

/**
 * The API's PostgreSQL database, embedded (PGlite) or on a server (node-postgres), behind one typed
 * Kysely instance. Repositories take `kysely` or a transaction of it. Every driver error surfaces as
 * a DatabaseError whose message holds no SQL, parameters or row values.
 *
 * On PGlite there is one session: inside `transaction(work)`, run every statement on the
 * transaction handed to `work`, never on `kysely`, or the statement waits for the transaction to
 * end (CONNECTION_TIMEOUT after the acquire timeout).
 */
export class Database {
  private constructor(
    readonly kind: DatabaseKind,
    readonly kysely: Kysely<Tables>,
  ) {}

  /**
   * Opens the database and (unless `migrate: false`) brings its schema to the latest migration.
   * @throws DatabaseError OPEN_FAILED, CONNECTION_FAILED, CONNECTION_TIMEOUT or MIGRATION_FAILED;
   *   nothing is left open when it throws.
   */
  static async open(config: DatabaseConfig, options: DatabaseOpenOptions = {}): Promise<Database> {
    const pool = await openPool(config, options);
    const database = new Database(config.kind, new Kysely<Tables>({ dialect: new ClientDialect(pool) }));
    try {
      if (options.migrate ?? true) await database.migrate();
      else await database.ping();
      return database;
    } catch (error) {
      await database.close().catch(() => undefined);
      throw error;
    }
  }

  /** Applies pending migrations (idempotent, safe across processes); returns the names applied now. */
  migrate(): Promise<string[]> {
    return migrateToLatest(this.kysely as Kysely<unknown>);
  }

  /**
   * Runs `work` in one transaction: committed when it resolves, rolled back when it throws (the
   * error is rethrown). Default isolation: READ COMMITTED.
   */
  transaction<T>(
    work: (trx: Transaction<Tables>) => Promise<T>,
    options: { isolationLevel?: IsolationLevel } = {},
  ): Promise<T> {
    const builder = this.kysely.transaction();
    return (options.isolationLevel ? builder.setIsolationLevel(options.isolationLevel) : builder).execute(work);
  }

  /** A trivial query: resolves when the database answers (readiness). Throws DatabaseError. */
  async ping(): Promise<void> {
    await sql`select 1`.execute(this.kysely);
  }

  /** Closes every session; waits (bounded by the acquire timeout) for a running transaction on PGlite. */
  close(): Promise<void> {
    return this.kysely.destroy();
  }
}
