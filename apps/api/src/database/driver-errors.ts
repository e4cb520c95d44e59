import { DatabaseError, type DatabaseErrorCause, type DatabaseErrorCode } from './errors.js';

/** SQLSTATE classes and codes (PostgreSQL manual, Appendix A "PostgreSQL Error Codes"). */
const CODE_BY_SQLSTATE: Readonly<Record<string, DatabaseErrorCode>> = {
  '23505': 'UNIQUE_VIOLATION',
  '23503': 'FOREIGN_KEY_VIOLATION',
  '23514': 'CHECK_VIOLATION',
  '23502': 'NOT_NULL_VIOLATION',
  '23001': 'IMMUTABLE_ROW', // restrict_violation, raised by the append-only triggers
  '40001': 'SERIALIZATION_FAILURE',
  '40P01': 'SERIALIZATION_FAILURE',
  '57P01': 'CONNECTION_FAILED', // admin_shutdown
  '57P02': 'CONNECTION_FAILED', // crash_shutdown
  '57P03': 'CONNECTION_FAILED', // cannot_connect_now
};

const CODE_BY_SQLSTATE_CLASS: Readonly<Record<string, DatabaseErrorCode>> = {
  '08': 'CONNECTION_FAILED', // connection exception
  '22': 'INVALID_VALUE', // data exception
};

/** Node.js socket errors that mean "no usable connection". */
const NETWORK_ERRNOS = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH']);

function stringField(source: object, name: string): string | undefined {
  const value = (source as Record<string, unknown>)[name];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function safeCause(error: object): DatabaseErrorCause {
  return {
    sqlState: stringField(error, 'code'),
    constraint: stringField(error, 'constraint'),
    table: stringField(error, 'table'),
    column: stringField(error, 'column'),
    routine: stringField(error, 'routine'),
  };
}

function describe(code: DatabaseErrorCode, cause: DatabaseErrorCause): string {
  const parts = [`database error ${code}`];
  if (cause.sqlState !== undefined) parts.push(`SQLSTATE ${cause.sqlState}`);
  if (cause.constraint !== undefined) parts.push(`constraint ${cause.constraint}`);
  else if (cause.table !== undefined) parts.push(`table ${cause.table}`);
  return parts.join(', ');
}

/**
 * Turns whatever a driver (node-postgres, PGlite) threw into a {@link DatabaseError}. The result's
 * message and cause keep only the SQLSTATE and schema object names: driver errors carry the query
 * text, its parameters (PGlite) and PostgreSQL's `detail` with row values, none of which may reach
 * a log line or a client.
 */
export function toDatabaseError(error: unknown): DatabaseError {
  if (error instanceof DatabaseError) return error;
  if (typeof error !== 'object' || error === null) return new DatabaseError('QUERY_FAILED', 'database error');
  const cause = safeCause(error);
  const sqlState = cause.sqlState;
  if (sqlState !== undefined && /^[0-9A-Z]{5}$/.test(sqlState)) {
    const code = CODE_BY_SQLSTATE[sqlState] ?? CODE_BY_SQLSTATE_CLASS[sqlState.slice(0, 2)] ?? 'QUERY_FAILED';
    return new DatabaseError(code, describe(code, cause), { cause, constraint: cause.constraint });
  }
  if (sqlState !== undefined && NETWORK_ERRNOS.has(sqlState)) {
    return new DatabaseError('CONNECTION_FAILED', `database connection failed (${sqlState})`, { cause });
  }
  const message = error instanceof Error ? error.message : '';
  if (/timeout exceeded when trying to connect/i.test(message)) {
    return new DatabaseError('CONNECTION_TIMEOUT', 'no database connection became free in time', { cause });
  }
  if (/Connection terminated|Client has encountered a connection error|not queryable/i.test(message)) {
    return new DatabaseError('CONNECTION_FAILED', 'database connection lost', { cause });
  }
  if (/\bclos(ed|ing)\b|after calling end/i.test(message)) {
    return new DatabaseError('DATABASE_CLOSED', 'the database is closed', { cause });
  }
  const name = error instanceof Error ? error.name : 'unknown';
  return new DatabaseError('QUERY_FAILED', `database error (${name})`, { cause });
}
