/** Where the database lives: embedded PGlite in a directory (undefined: in memory) or a PostgreSQL server. */
export type DatabaseConfig =
  | { readonly kind: 'pglite'; readonly dataDir: string | undefined }
  | { readonly kind: 'postgres'; readonly url: string };

export type DatabaseKind = DatabaseConfig['kind'];

export interface DatabaseOpenOptions {
  /** Run pending migrations before returning (default true). */
  readonly migrate?: boolean;
  /** PostgreSQL pool size (default 10). PGlite has exactly one session. */
  readonly maxConnections?: number;
  /** How long to wait for a free session before DatabaseError CONNECTION_TIMEOUT (default 30 s). */
  readonly acquireTimeoutMs?: number;
  /**
   * PGlite only: start a NEW database from this dumpDataDir() tarball (see createPgliteSnapshot)
   * instead of running initdb. Refused when the data directory already holds a database.
   */
  readonly pgliteSnapshot?: Blob;
}

export const DEFAULT_MAX_CONNECTIONS = 10;
export const DEFAULT_ACQUIRE_TIMEOUT_MS = 30_000;
