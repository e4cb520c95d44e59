// Canonical JSON (RFC 8785, JCS): object members sorted by their names' UTF-16 code units, no
// whitespace, strings and numbers as ECMAScript JSON.stringify writes them (which is exactly RFC
// 8785 §3.2.2.2-3). Two entry points:
// - canonicalJson: any value JSON can carry, floats included (request bodies with calibration
//   floats, layout digests); `undefined` members are left out as JSON.stringify does.
// - strictCanonicalJson / strictCanonicalJsonBytes: the profile of what Ingrain signs
//   (attestations, work-order reports): safe integers only, valid Unicode only, bounded nesting,
//   and a coded error naming the JSON path of anything else. It checks, then calls canonicalJson.
import { EncodingError } from './errors.js';

/** The JSON values the strict profile accepts: no floats, no undefined, integers within ±(2^53 − 1). */
export type JsonValue = null | boolean | number | string | readonly JsonValue[] | { readonly [key: string]: JsonValue };

/** Deepest nesting the strict profile accepts, so hostile input cannot exhaust the stack. */
export const JCS_MAX_DEPTH = 64;

function isPlainObject(value: object): value is Record<string, unknown> {
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

const byCodeUnits = ([a]: [string, unknown], [b]: [string, unknown]): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * The RFC 8785 canonical text of a JSON value. Object members whose value is `undefined` are left
 * out (as JSON.stringify does); strings are written as JSON.stringify writes them.
 *
 * @throws TypeError for values JSON cannot carry: non-finite numbers, bigint, functions, symbols,
 *   `undefined` outside an object member, and objects that are not plain (Date, Map, Uint8Array…).
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new TypeError('canonical JSON cannot carry a non-finite number');
    return JSON.stringify(value); // RFC 8785 §3.2.2.3 is ECMAScript's Number serialization; -0 becomes "0"
  }
  if (Array.isArray(value)) return `[${value.map((item: unknown) => canonicalJson(item)).join(',')}]`;
  if (typeof value === 'object' && isPlainObject(value)) {
    const members = Object.entries(value)
      .filter(([, item]) => item !== undefined)
      .sort(byCodeUnits)
      .map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`);
    return `{${members.join(',')}}`;
  }
  throw new TypeError(`canonical JSON cannot carry a ${typeof value === 'object' ? 'non-plain object' : typeof value}`);
}

// A UTF-16 surrogate without its partner: not valid Unicode, rejected by RFC 8785 §3.2.2.2 (I-JSON).
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function unsupported(path: string, what: string): EncodingError {
  return new EncodingError('ENCODING_JCS_UNSUPPORTED_VALUE', `cannot canonicalize ${path}: ${what}`);
}

function checkString(text: string, path: string): void {
  if (LONE_SURROGATE.test(text)) throw unsupported(path, 'string holds a lone surrogate');
}

function checkObject(value: object, path: string, depth: number): void {
  if (!isPlainObject(value)) throw unsupported(path, 'only plain objects are allowed');
  if (Object.getOwnPropertySymbols(value).length > 0) throw unsupported(path, 'symbol keys are not allowed');
  // Visited in output order, so the first problem reported is the first one in the canonical text.
  for (const key of Object.keys(value).sort()) {
    const childPath = `${path}.${key}`;
    checkString(key, childPath);
    checkStrict(value[key], childPath, depth + 1);
  }
}

function checkStrict(value: unknown, path: string, depth: number): void {
  if (depth > JCS_MAX_DEPTH) throw unsupported(path, `nesting deeper than ${JCS_MAX_DEPTH}`);
  if (value === null) return;
  switch (typeof value) {
    case 'boolean':
      return;
    case 'number':
      if (!Number.isSafeInteger(value)) throw unsupported(path, 'only integers within ±(2^53 − 1) are allowed');
      return;
    case 'string':
      return checkString(value, path);
    case 'object':
      if (!Array.isArray(value)) return checkObject(value, path, depth);
      for (let i = 0; i < value.length; i++) checkStrict(value[i], `${path}[${i}]`, depth + 1);
      return;
    case 'bigint':
    case 'undefined':
    case 'function':
    case 'symbol':
      throw unsupported(path, `${typeof value} is not a JSON value`);
  }
  throw unsupported(path, 'not a JSON value');
}

/**
 * RFC 8785 (JCS) canonical JSON text of `value`, restricted to {@link JsonValue}: objects (plain,
 * string keys, sorted by UTF-16 code units), arrays, strings (valid Unicode only), safe integers,
 * booleans and null, with no whitespace. The profile of everything Ingrain signs.
 * @throws EncodingError ENCODING_JCS_UNSUPPORTED_VALUE naming the JSON path (never the value) of
 * a float, unsafe integer, undefined, bigint, lone surrogate, non-plain object, array hole or
 * nesting deeper than {@link JCS_MAX_DEPTH}.
 */
export function strictCanonicalJson(value: unknown): string {
  checkStrict(value, '$', 0);
  return canonicalJson(value);
}

/** UTF-8 bytes of {@link strictCanonicalJson}: the bytes that get hashed or signed. */
export function strictCanonicalJsonBytes(value: unknown): Uint8Array {
  return new Uint8Array(Buffer.from(strictCanonicalJson(value), 'utf8'));
}
