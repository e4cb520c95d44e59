// Canonical JSON for hashing request bodies and report lists: object members sorted by their
// names' UTF-16 code units, no whitespace, strings and numbers as ECMAScript JSON.stringify writes
// them. This is RFC 8785 (JCS) for every value JSON can carry; unlike libs/crypto's attestation
// profile it accepts non-integer numbers, because MES inputs (calibration floats) are hashed.

/**
 * The canonical text of a JSON value. Object members whose value is `undefined` are left out (as
 * JSON.stringify does).
 *
 * @throws TypeError for values JSON cannot carry: non-finite numbers, bigint, functions, symbols,
 *   `undefined` outside an object member, and objects that are not plain (Date, Map, Uint8Array…).
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new TypeError('canonical JSON cannot carry a non-finite number');
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map((item: unknown) => canonicalJson(item)).join(',')}]`;
  if (typeof value === 'object' && isPlainObject(value)) {
    const members = Object.entries(value)
      .filter(([, item]) => item !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`);
    return `{${members.join(',')}}`;
  }
  throw new TypeError(`canonical JSON cannot carry a ${typeof value === 'object' ? 'non-plain object' : typeof value}`);
}

function isPlainObject(value: object): boolean {
  const prototype = Object.getPrototypeOf(value) as unknown;
  return prototype === Object.prototype || prototype === null;
}
