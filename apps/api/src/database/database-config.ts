/** Where the database lives: embedded PGlite in a directory (undefined: in memory) or a PostgreSQL server. */
export type DatabaseConfig =
  | {
      readonly kind: 'pglite';
      readonly dataDir: string | undefined;
      /** PostgreSQL's shared_buffers inside PGlite, in MiB (default DEFAULT_PGLITE_SHARED_BUFFERS_MB). */
      readonly sharedBuffersMb?: number;
    }
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

/**
 * PGlite's shared_buffers (MiB) unless INGRAIN_PGLITE_SHARED_BUFFERS_MB says otherwise. initdb
 * writes 128 MB, and all of it becomes resident in the WebAssembly memory at start (about 120 MB of
 * the API's RSS), while only the pages in use become resident here. 32 MB holds the whole database
 * of the line benchmark (17 MB after 3,600 devices) and, beyond that, a line's working set (recent
 * devices, the log's right edge, the indexes' upper levels); a page outside it is an 8 kB read from
 * the operating system's page cache.
 */
export const DEFAULT_PGLITE_SHARED_BUFFERS_MB = 32;
export const DEFAULT_ACQUIRE_TIMEOUT_MS = 30_000;
