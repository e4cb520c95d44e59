import { DatabaseError } from './errors.js';

/** PostgreSQL type OID of int8 / bigint (pg_type.dat). */
export const INT8_OID = 20;

/**
 * Parses an int8 column as a JS number. Every bigint in the schema (tree sizes, leaf indices,
 * serial counters, counts) stays far below 2^53; anything above is refused rather than rounded.
 */
export function parseInt8(text: string): number {
  const value = Number(text);
  if (!Number.isSafeInteger(value)) {
    throw new DatabaseError('INVALID_VALUE', 'a bigint value is beyond the safe integer range');
  }
  return value;
}
