import { EncodingError } from './errors.js';

/** The JSON values Ingrain canonicalizes: no floats, no undefined, integers within ±(2^53 − 1). */
export type JsonValue = null | boolean | number | string | readonly JsonValue[] | { readonly [key: string]: JsonValue };

/** Deepest nesting accepted, so hostile input cannot exhaust the stack. */
export const JCS_MAX_DEPTH = 64;

// A UTF-16 surrogate without its partner: not valid Unicode, rejected by RFC 8785 §3.2.2.2 (I-JSON).
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function unsupported(path: string, what: string): EncodingError {
  return new EncodingError('ENCODING_JCS_UNSUPPORTED_VALUE', `cannot canonicalize ${path}: ${what}`);
}

function isPlainObject(value: object): value is Record<string, unknown> {
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

// Printable ASCII without '"' or '\\' needs no escaping: the common case (hex, ids, times).
const NEEDS_ESCAPING_OR_CHECK = /[^\x20-\x21\x23-\x5b\x5d-\x7e]/;

function serializeString(text: string, path: string): string {
  if (!NEEDS_ESCAPING_OR_CHECK.test(text)) return `"${text}"`;
  if (LONE_SURROGATE.test(text)) throw unsupported(path, 'string holds a lone surrogate');
  // ECMAScript JSON.stringify quoting is exactly RFC 8785 §3.2.2.2 for well-formed strings:
  // \b \t \n \f \r \" \\ as two-character escapes, other U+0000..U+001F as \u00xx (lowercase hex),
  // everything else (including U+007F and U+2028) literally.
  return JSON.stringify(text);
}

function serializeNumber(value: number, path: string): string {
  if (!Number.isSafeInteger(value)) throw unsupported(path, 'only integers within ±(2^53 − 1) are allowed');
  return String(value); // RFC 8785 §3.2.2.3 for integers; -0 becomes "0"
}

function serializeArray(items: readonly unknown[], path: string, depth: number): string {
  const parts: string[] = [];
  for (let i = 0; i < items.length; i++) parts.push(serialize(items[i], `${path}[${i}]`, depth + 1));
  return `[${parts.join(',')}]`;
}

function serializeObject(value: object, path: string, depth: number): string {
  if (!isPlainObject(value)) throw unsupported(path, 'only plain objects are allowed');
  if (Object.getOwnPropertySymbols(value).length > 0) throw unsupported(path, 'symbol keys are not allowed');
  // RFC 8785 §3.2.3: sort by UTF-16 code units, which is what the default string comparison does.
  const keys = Object.keys(value).sort();
  const parts = keys.map((key) => {
    const childPath = `${path}.${key}`;
    return `${serializeString(key, childPath)}:${serialize(value[key], childPath, depth + 1)}`;
  });
  return `{${parts.join(',')}}`;
}

function serialize(value: unknown, path: string, depth: number): string {
  if (depth > JCS_MAX_DEPTH) throw unsupported(path, `nesting deeper than ${JCS_MAX_DEPTH}`);
  if (value === null) return 'null';
  switch (typeof value) {
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      return serializeNumber(value, path);
    case 'string':
      return serializeString(value, path);
    case 'object':
      return Array.isArray(value) ? serializeArray(value, path, depth) : serializeObject(value, path, depth);
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
 * booleans and null, with no whitespace.
 * @throws EncodingError ENCODING_JCS_UNSUPPORTED_VALUE naming the JSON path (never the value) of
 * a float, unsafe integer, undefined, bigint, lone surrogate, non-plain object, array hole or
 * nesting deeper than {@link JCS_MAX_DEPTH}.
 */
export function canonicalizeJson(value: unknown): string {
  return serialize(value, '$', 0);
}

/** UTF-8 bytes of {@link canonicalizeJson}: the bytes that get hashed or signed. */
export function canonicalJsonBytes(value: unknown): Uint8Array {
  return new Uint8Array(Buffer.from(canonicalizeJson(value), 'utf8'));
}
