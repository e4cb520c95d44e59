/** Stable codes of {@link DatabaseError}. */
export type DatabaseErrorCode =
  /** A unique constraint refused a row (`constraint` names which). */
  | 'UNIQUE_VIOLATION'
  /** A row references a row that does not exist (unknown product, station, layout…). */
  | 'FOREIGN_KEY_VIOLATION'
  /** A check constraint refused a value (an unknown role or state, a negative quantity…). */
  | 'CHECK_VIOLATION'
  /** A required column was left empty. */
  | 'NOT_NULL_VIOLATION'
  /** An append-only row (layout, history, log, attestation) was to be updated or deleted. */
  | 'IMMUTABLE_ROW'
  /** A value PostgreSQL cannot take for its column (malformed uuid, number out of range). */
  | 'INVALID_VALUE'
  /** A concurrent transaction won (serialization failure or deadlock): safe to retry the whole unit. */
  | 'SERIALIZATION_FAILURE'
  /** The server cannot be reached or dropped the connection: retry later. */
  | 'CONNECTION_FAILED'
  /** No connection became free within the acquire timeout. */
  | 'CONNECTION_TIMEOUT'
  /** The database was closed before or while the statement ran. */
  | 'DATABASE_CLOSED'
  /** Opening the database failed (data directory, template snapshot, configuration). */
  | 'OPEN_FAILED'
  /** A schema migration failed; the schema is left at the last migration that succeeded. */
  | 'MIGRATION_FAILED'
  /** A retried conditional write kept racing with other writers. */
  | 'CONTENTION'
  /** Any other database failure. */
  | 'QUERY_FAILED';

/**
 * What a database error may carry as its `cause`: the SQLSTATE and the names of the schema objects
 * involved. Never the SQL text, the parameters or PostgreSQL's `detail` (which quotes row values).
 */
export interface DatabaseErrorCause {
  readonly sqlState: string | undefined;
  readonly constraint: string | undefined;
  readonly table: string | undefined;
  readonly column: string | undefined;
  readonly routine: string | undefined;
}

/**
 * Every failure of the persistence layer (apps/api/src/database, apps/api/src/repositories).
 * `message` names constraints, tables and SQLSTATEs only: never SQL text, parameters or row values,
 * so it may be logged; the HTTP layer still shows none of it to clients.
 */
export class DatabaseError extends Error {
  /** Name of the constraint that refused the row, for *_VIOLATION codes (e.g. `devices_chip_uid_key`). */
  readonly constraint: string | undefined;

  constructor(
    readonly code: DatabaseErrorCode,
    message: string,
    options: { cause?: unknown; constraint?: string | undefined } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.constraint = options.constraint;
  }

  /** True for failures a caller may retry unchanged (serialization, connection, timeout). */
  get retryable(): boolean {
    return (
      this.code === 'SERIALIZATION_FAILURE' || this.code === 'CONNECTION_FAILED' || this.code === 'CONNECTION_TIMEOUT'
    );
  }
}

/** True when `error` is a {@link DatabaseError} with `code` (and, if given, that constraint). */
export function isDatabaseError(error: unknown, code: DatabaseErrorCode, constraint?: string): error is DatabaseError {
  return (
    error instanceof DatabaseError &&
    error.code === code &&
    (constraint === undefined || error.constraint === constraint)
  );
}
