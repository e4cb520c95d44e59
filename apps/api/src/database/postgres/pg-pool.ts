import type { PoolClient, Pool as PoolType } from 'pg';
import { toDatabaseError } from '../driver-errors.js';
import { DatabaseError } from '../errors.js';
import { INT8_OID, parseInt8 } from '../int8.js';
import type { SqlClientLease, SqlClientPool, SqlResult } from '../sql-client.js';

export interface PgPoolOptions {
  readonly url: string;
  readonly maxConnections: number;
  readonly acquireTimeoutMs: number;
}

/** Sessions from a node-postgres pool; int8 parsed to numbers like on PGlite. */
export class PgClientPool implements SqlClientPool {
  private closed = false;

  private constructor(private readonly pool: PoolType) {}

  /** Builds the pool (no connection is made until the first acquire). */
  static async create(options: PgPoolOptions): Promise<PgClientPool> {
    const { default: pg } = await import('pg');
    const pool = new pg.Pool({
      connectionString: options.url,
      max: options.maxConnections,
      connectionTimeoutMillis: options.acquireTimeoutMs,
      idleTimeoutMillis: 30_000,
      application_name: 'ingrain',
      types: {
        getTypeParser: (oid, format) => (oid === INT8_OID ? parseInt8 : pg.types.getTypeParser(oid, format)),
      },
    });
    // An idle session whose server went away: the pool drops it by itself. Without a listener the
    // 'error' event would crash the process; the next acquire reports the outage instead.
    pool.on('error', () => undefined);
    return new PgClientPool(pool);
  }

  async acquire(): Promise<SqlClientLease> {
    if (this.closed) throw new DatabaseError('DATABASE_CLOSED', 'the database is closed');
    try {
      return new PgLease(await this.pool.connect());
    } catch (error) {
      throw toDatabaseError(error);
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pool.end();
  }
}

class PgLease implements SqlClientLease {
  private released = false;
  private broken = false;

  constructor(private readonly client: PoolClient) {}

  async query(sql: string, parameters: readonly unknown[]): Promise<SqlResult> {
    if (this.released) throw new DatabaseError('QUERY_FAILED', 'query on a released database session');
    try {
      const result = await this.client.query(sql, [...parameters]);
      return { rows: result.rows, command: result.command, rowCount: result.rowCount ?? undefined };
    } catch (error) {
      const mapped = toDatabaseError(error);
      if (mapped.code === 'CONNECTION_FAILED') this.broken = true;
      throw mapped;
    }
  }

  release(): void {
    if (this.released) return;
    this.released = true;
    // A session that lost its connection is destroyed, not returned to the pool.
    this.client.release(this.broken);
  }
}
