// The hostile values the fuzzer draws from: odd strings (NUL, lone surrogates, RTL, U+FFFF,
// invalid and overlong UTF-8, huge), boundary numbers and values of the wrong type.
import type { Prng } from './prng.js';
import { RawJson } from './raw-json.js';

/** Strings JSON can carry (JSON.stringify escapes what it must; lone surrogates as \ud800). */
const ODD_STRINGS: readonly string[] = [
  '',
  ' ',
  '\t\r\n',
  '\u0000',
  'a\u0000b',
  'SN-\u0000',
  '\uD800',
  '\uDFFF',
  'a\uDC00b',
  '\uDBFF\uD800',
  '\u202Eevil\u202C',
  '\u200F\u05D0\u05D1',
  'مرحبا',
  '\uFFFF',
  '\uFFFE',
  '\uFEFFbom',
  '\u200B',
  'e\u0301\u0301\u0301\u0301',
  '😀',
  '\u{10FFFF}',
  '\u0001\u001F\u007F\u0085',
  '\u2028\u2029',
  "' OR 1=1 --",
  '%s%n%x',
  '${jndi:ldap://x}',
  '../../../etc/passwd',
  '<script>alert(1)</script>',
  '\\',
  '"',
  '1e309',
  '-0',
  'NaN',
  'Infinity',
  '0x1F',
  '١٢٣',
  'ｓｅｎｓｏｒ',
  '__proto__',
  'constructor',
  'yesterday',
  '2026-02-30T00:00:00Z',
  '2026-12-06T25:00:00Z',
  '2026-12-06',
  '0000-01-01T00:00:00Z',
  '9999-12-31T23:59:59.999999999Z',
  '+275760-09-13T00:00:00Z',
  '2026-12-06T00:00:00+14:00',
  '00000000-0000-0000-0000-000000000000',
  'ffffffff-ffff-ffff-ffff-ffffffffffff',
  '{01234567-89AB-CDEF-0123-456789ABCDEF}',
  '0123456789abcdef0123456789abcdef',
];

/** JSON strings whose bytes are not valid UTF-8: overlong forms, encoded surrogates, stray bytes. */
function invalidUtf8Strings(): RawJson[] {
  return [
    RawJson.stringOfBytes(0xc0, 0xaf),
    RawJson.stringOfBytes(0xe0, 0x80, 0xaf),
    RawJson.stringOfBytes(0xf0, 0x80, 0x80, 0xaf),
    RawJson.stringOfBytes(0xc0, 0x80),
    RawJson.stringOfBytes(0xed, 0xa0, 0x80),
    RawJson.stringOfBytes(0xf4, 0x90, 0x80, 0x80),
    RawJson.stringOfBytes(0xff, 0xfe),
    RawJson.stringOfBytes(0x41, 0xe2, 0x82),
    RawJson.stringOfBytes(0x80),
    RawJson.stringOfBytes(0xef, 0xbf, 0xbf),
  ];
}

/** A string of `length` characters (a single repeated one, or a repeated odd one). */
function hugeString(prng: Prng): string {
  const length = prng.pick([256, 4097, 65_537, 300_000]);
  return prng.pick(['A', 'é', '😀', '\u0000', '\uD800', '0']).repeat(length);
}

/** A hostile string value (sometimes not valid UTF-8 on the wire). */
export function oddString(prng: Prng): string | RawJson {
  const kind = prng.weighted<'list' | 'utf8' | 'huge' | 'mixed'>([
    ['list', 8],
    ['utf8', 2],
    ['huge', 1],
    ['mixed', 2],
  ]);
  if (kind === 'utf8') return prng.pick(invalidUtf8Strings());
  if (kind === 'huge') return hugeString(prng);
  if (kind === 'mixed') return `fuzz-${prng.pick(ODD_STRINGS)}-${prng.pick(ODD_STRINGS)}`;
  return prng.pick(ODD_STRINGS);
}

/** Text for a query string or a path segment (percent-encoded by the caller, or raw oddities). */
export function oddText(prng: Prng): string {
  const value = oddString(prng);
  return typeof value === 'string' ? value : 'x'.repeat(prng.int(1, 3000));
}

/** Numbers at and beyond the edges: of doubles, of 32/53-bit integers, and of `schema`'s bounds. */
export function boundaryNumber(prng: Prng, minimum?: number, maximum?: number): number | RawJson {
  const edges: (number | RawJson)[] = [
    0,
    -0,
    1,
    -1,
    0.5,
    -0.5,
    2 ** 31 - 1,
    2 ** 31,
    2 ** 32,
    2 ** 53 - 1,
    2 ** 53,
    2 ** 53 + 2,
    -(2 ** 53),
    1e21,
    1e308,
    -1e308,
    5e-324,
    RawJson.text('1e400'),
    RawJson.text('-1e400'),
    RawJson.text('1.0'),
    RawJson.text('123456789012345678901234567890'),
    RawJson.text('0.1e1'),
    RawJson.text('-0.0'),
  ];
  if (minimum !== undefined) edges.push(minimum - 1, minimum, minimum - 0.5);
  if (maximum !== undefined) edges.push(maximum + 1, maximum, maximum + 0.5);
  return prng.pick(edges);
}

/** The JSON text of a nest of `depth` arrays or objects. */
export function deepNestText(depth: number, kind: 'array' | 'object'): string {
  return kind === 'array'
    ? `${'['.repeat(depth)}1${']'.repeat(depth)}`
    : `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
}

/** A nest of `depth` arrays or objects, as raw JSON (JSON.stringify would overflow the stack). */
export function deepNest(depth: number, kind: 'array' | 'object'): RawJson {
  return RawJson.text(deepNestText(depth, kind));
}

/** A value of some JSON type, likely not the one a field wants. */
export function wrongTypeValue(prng: Prng): unknown {
  return prng.pick<() => unknown>([
    () => null,
    () => true,
    () => false,
    () => 0,
    () => -1,
    () => 1.5,
    () => '',
    () => 'fuzz',
    () => [],
    () => [1, 'a', null],
    () => ({}),
    () => ({ a: 1 }),
    () => deepNest(prng.int(10, 200), prng.pick(['array', 'object'] as const)),
    () => boundaryNumber(prng),
    () => oddString(prng),
  ])();
}

/** Keys an object should not take: prototype names, NUL, odd unicode, huge. */
export function oddKey(prng: Prng): string {
  return prng.pick([
    '__proto__',
    'constructor',
    'prototype',
    'toString',
    'hasOwnProperty',
    '',
    '\u0000',
    'a\u0000',
    '\uD800',
    '\u202Eid',
    'k'.repeat(10_000),
    'fuzzExtra',
    '$where',
    'id',
  ]);
}
