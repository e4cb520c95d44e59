import {
  CompiledQuery,
  type DatabaseConnection,
  type Driver,
  type QueryResult,
  type TransactionSettings,
} from 'kysely';
import { DatabaseError } from './errors.js';
import type { SqlClientLease, SqlClientPool } from './sql-client.js';

const COMMANDS_WITH_AFFECTED_ROWS = new Set(['INSERT', 'UPDATE', 'DELETE', 'MERGE']);

/** A Kysely connection over one leased session. */
class LeaseConnection implements DatabaseConnection {
  constructor(readonly lease: SqlClientLease) {}

  async executeQuery<R>(compiledQuery: CompiledQuery): Promise<QueryResult<R>> {
    const result = await this.lease.query(compiledQuery.sql, compiledQuery.parameters);
    const affected = result.command !== undefined && COMMANDS_WITH_AFFECTED_ROWS.has(result.command);
    return {
      rows: result.rows as R[],
      numAffectedRows: affected ? BigInt(result.rowCount ?? 0) : undefined,
    };
  }

  /** Streaming (cursors) is not offered: results are small and paged. */
  streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
    throw new DatabaseError('QUERY_FAILED', 'streaming queries are not supported');
  }
}

const quoteIdentifier = (name: string): string => `"${name.replaceAll('"', '""')}"`;

function beginStatement(settings: TransactionSettings): string {
  let statement = 'start transaction';
  if (settings.isolationLevel !== undefined) statement += ` isolation level ${settings.isolationLevel}`;
  if (settings.accessMode !== undefined) statement += ` ${settings.accessMode}`;
  return statement;
}

/**
 * The Kysely driver of both database kinds: PostgreSQL SQL, sessions from a {@link SqlClientPool}.
 * Kysely acquires one connection per statement outside transactions and one for the whole of a
 * transaction, so on PGlite (one session under a mutex) a transaction's statements never
 * interleave with anyone else's.
 */
export class ClientDriver implements Driver {
  constructor(private readonly pool: SqlClientPool) {}

  async init(): Promise<void> {}

  async acquireConnection(): Promise<DatabaseConnection> {
    return new LeaseConnection(await this.pool.acquire());
  }

  async beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw(beginStatement(settings)));
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('commit'));
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('rollback'));
  }

  async savepoint(connection: DatabaseConnection, name: string): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw(`savepoint ${quoteIdentifier(name)}`));
  }

  async rollbackToSavepoint(connection: DatabaseConnection, name: string): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw(`rollback to savepoint ${quoteIdentifier(name)}`));
  }

  async releaseSavepoint(connection: DatabaseConnection, name: string): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw(`release savepoint ${quoteIdentifier(name)}`));
  }

  releaseConnection(connection: DatabaseConnection): Promise<void> {
    if (connection instanceof LeaseConnection) connection.lease.release();
    return Promise.resolve();
  }

  async destroy(): Promise<void> {
    await this.pool.close();
  }
}
