import { randomUUID } from 'node:crypto';

/**
 * A bytea value as a plain Uint8Array: node-postgres returns Buffers (a subclass, compared
 * differently by deepStrictEqual and serialized differently by JSON.stringify); PGlite returns
 * Uint8Array already. Always a copy the caller owns (the typed-array constructor copies in one go;
 * Uint8Array.from would walk the bytes through an iterator).
 */
export function plainBytes(value: Uint8Array): Uint8Array {
  return new Uint8Array(value);
}

/** plainBytes for nullable columns. */
export function plainBytesOrNull(value: Uint8Array | null): Uint8Array | null {
  return value === null ? null : new Uint8Array(value);
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** True for a well-formed uuid: lookups by a malformed id find nothing instead of failing in SQL. */
export function isUuid(value: string): boolean {
  return UUID.test(value);
}

/** A new random (v4) uuid for a row id. */
export function newId(): string {
  return randomUUID();
}

/** Byte-wise equality of two byte strings. */
export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && Buffer.compare(a, b) === 0;
}
