import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { toDatabaseError } from './driver-errors.js';
import { DatabaseError } from './errors.js';

/** The shape node-postgres and PGlite give a server error (PGlite adds query and params). */
function serverError(fields: Record<string, string>): Error {
  return Object.assign(new Error('duplicate key value violates unique constraint "devices_chip_uid_key"'), {
    severity: 'ERROR',
    detail: 'Key (chip_uid)=(\\x2036411233) already exists.',
    query: 'update "devices" set "chip_uid" = $1',
    params: ['secret-looking-value'],
    ...fields,
  });
}

void describe('toDatabaseError', () => {
  void test('maps SQLSTATEs to stable codes and keeps the constraint name', () => {
    const cases: [string, string][] = [
      ['23505', 'UNIQUE_VIOLATION'],
      ['23503', 'FOREIGN_KEY_VIOLATION'],
      ['23514', 'CHECK_VIOLATION'],
      ['23502', 'NOT_NULL_VIOLATION'],
      ['23001', 'IMMUTABLE_ROW'],
      ['40001', 'SERIALIZATION_FAILURE'],
      ['40P01', 'SERIALIZATION_FAILURE'],
      ['22P02', 'INVALID_VALUE'],
      ['08006', 'CONNECTION_FAILED'],
      ['57P01', 'CONNECTION_FAILED'],
      ['42P01', 'QUERY_FAILED'],
    ];
    for (const [sqlState, code] of cases) {
      const mapped = toDatabaseError(serverError({ code: sqlState, constraint: 'devices_chip_uid_key' }));
      assert.equal(mapped.code, code, sqlState);
      assert.equal(mapped.constraint, 'devices_chip_uid_key');
    }
  });

  void test('keeps neither the SQL, the parameters nor the row values', () => {
    const mapped = toDatabaseError(
      serverError({ code: '23505', constraint: 'devices_chip_uid_key', table: 'devices' }),
    );
    const everything = JSON.stringify({ message: mapped.message, cause: mapped.cause, stack: mapped.stack });
    for (const leak of ['2036411233', 'secret-looking-value', 'set "chip_uid"', 'Key (']) {
      assert.ok(!everything.includes(leak), `${leak} leaked: ${everything}`);
    }
    assert.deepEqual(mapped.cause, {
      sqlState: '23505',
      constraint: 'devices_chip_uid_key',
      table: 'devices',
      column: undefined,
      routine: undefined,
    });
  });

  void test('classifies connection failures and passes DatabaseErrors through', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' });
    assert.equal(toDatabaseError(refused).code, 'CONNECTION_FAILED');
    assert.equal(toDatabaseError(new Error('timeout exceeded when trying to connect')).code, 'CONNECTION_TIMEOUT');
    assert.equal(toDatabaseError(new Error('PGlite is closed')).code, 'DATABASE_CLOSED');
    const own = new DatabaseError('CONTENTION', 'x');
    assert.equal(toDatabaseError(own), own);
    assert.equal(toDatabaseError('weird').code, 'QUERY_FAILED');
    const unknown = toDatabaseError(new TypeError('something with a value 1234'));
    assert.equal(unknown.code, 'QUERY_FAILED');
    assert.ok(!unknown.message.includes('1234'));
  });

  void test('retryable only for transient failures', () => {
    assert.equal(new DatabaseError('SERIALIZATION_FAILURE', 'x').retryable, true);
    assert.equal(new DatabaseError('CONNECTION_FAILED', 'x').retryable, true);
    assert.equal(new DatabaseError('UNIQUE_VIOLATION', 'x').retryable, false);
  });
});
