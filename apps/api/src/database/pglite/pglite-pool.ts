import type { PGlite } from '@electric-sql/pglite';
import { toDatabaseError } from '../driver-errors.js';
import { DatabaseError } from '../errors.js';
import type { SqlClientLease, SqlClientPool, SqlResult } from '../sql-client.js';
import type { DataDirLock } from './data-dir-lock.js';
import { Mutex } from './mutex.js';

/**
 * PGlite's one session, lent to one Kysely connection at a time. PGlite runs each query alone but
 * knows nothing of our transactions; the mutex keeps a transaction's statements together.
 */
export class PgliteClientPool implements SqlClientPool {
  private readonly mutex = new Mutex();
  private closed = false;

  constructor(
    private readonly pglite: PGlite,
    private readonly acquireTimeoutMs: number,
    /** The data directory's lock, released once PGlite is closed. */
    private readonly lock?: DataDirLock,
  ) {}

  async acquire(): Promise<SqlClientLease> {
    if (this.closed) throw new DatabaseError('DATABASE_CLOSED', 'the database is closed');
    const release = await this.mutex.lock(this.acquireTimeoutMs);
    if (this.closed) {
      release();
      throw new DatabaseError('DATABASE_CLOSED', 'the database is closed');
    }
    return new PgliteLease(this.pglite, release);
  }

  /** Waits up to the acquire timeout for a lent session to come back, then closes PGlite and unlocks its directory. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    let release: (() => void) | undefined;
    try {
      release = await this.mutex.lock(this.acquireTimeoutMs);
    } catch {
      // A session is still lent out after the timeout: close anyway, its user gets DATABASE_CLOSED.
    }
    try {
      await this.pglite.close();
    } catch (error) {
      throw toDatabaseError(error);
    } finally {
      release?.();
      await this.lock?.release();
    }
  }
}

class PgliteLease implements SqlClientLease {
  private released = false;

  constructor(
    private readonly pglite: PGlite,
    private readonly releaseLock: () => void,
  ) {}

  async query(sql: string, parameters: readonly unknown[]): Promise<SqlResult> {
    if (this.released) throw new DatabaseError('QUERY_FAILED', 'query on a released database session');
    try {
      const result = await this.pglite.query<unknown>(sql, [...parameters], { rowMode: 'object' });
      return { rows: result.rows, command: result.command, rowCount: result.rowCount ?? result.affectedRows };
    } catch (error) {
      throw toDatabaseError(error);
    }
  }

  release(): void {
    if (this.released) return;
    this.released = true;
    this.releaseLock();
  }
}
