/** What one statement returned, in the shape both drivers can give. */
export interface SqlResult {
  readonly rows: unknown[];
  /** Command tag (`INSERT`, `UPDATE`, `SELECT`…), when the driver reports it. */
  readonly command: string | undefined;
  /** Rows the command affected or returned. */
  readonly rowCount: number | undefined;
}

/**
 * One database session lent to one user at a time: every statement of a transaction runs on the
 * same lease. `query` throws {@link DatabaseError} (driver errors are mapped, never passed on).
 */
export interface SqlClientLease {
  query(sql: string, parameters: readonly unknown[]): Promise<SqlResult>;
  /** Gives the session back; further queries on this lease are refused. Safe to call twice. */
  release(): void;
}

/**
 * Where sessions come from: a node-postgres pool (many sessions) or one PGlite instance (a single
 * session, lent under a mutex). The two real implementations behind the Kysely driver.
 */
export interface SqlClientPool {
  /** Waits for a free session; DatabaseError CONNECTION_TIMEOUT / CONNECTION_FAILED / DATABASE_CLOSED. */
  acquire(): Promise<SqlClientLease>;
  /** Closes every session; waits (bounded) for a lent PGlite session to come back first. */
  close(): Promise<void>;
}
