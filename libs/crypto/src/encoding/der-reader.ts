import { EncodingError } from '#ingrain/encoding';
import { DerTag } from './der-writer.js';

/**
 * A minimal strict DER reader (ITU-T X.690 §8 and §10): definite minimal lengths only, low tag
 * numbers only, every byte accounted for. Decoding is lazy: {@link derChildren} splits one
 * constructed element at a time, so hostile input cannot cause deep recursion, and an element
 * only records offsets until its bytes are asked for (views are costly to allocate).
 */
export interface DerElement {
  /** The identifier octet (class, constructed bit, tag number). */
  readonly tag: number;
  /** Contents octets (a view into the source bytes). */
  readonly contents: Uint8Array;
  /** The whole TLV (a view into the source bytes). */
  readonly encoded: Uint8Array;
}

class LazyElement implements DerElement {
  constructor(
    readonly tag: number,
    readonly source: Uint8Array,
    readonly start: number,
    readonly contentStart: number,
    readonly end: number,
  ) {}

  get contents(): Uint8Array {
    return this.source.subarray(this.contentStart, this.end);
  }

  get encoded(): Uint8Array {
    return this.source.subarray(this.start, this.end);
  }
}

function invalid(message: string): EncodingError {
  return new EncodingError('ENCODING_DER_INVALID', `invalid DER: ${message}`);
}

function readLength(bytes: Uint8Array, offset: number, limit: number): { length: number; next: number } {
  if (offset >= limit) throw invalid('truncated length');
  const first = bytes[offset]!;
  if (first < 0x80) return { length: first, next: offset + 1 };
  const count = first & 0x7f;
  if (count === 0) throw invalid('indefinite length'); // X.690 §10.1
  if (count > 4) throw invalid('length too large');
  if (offset + count >= limit) throw invalid('truncated length');
  let length = 0;
  for (let i = 1; i <= count; i++) length = length * 256 + bytes[offset + i]!;
  if (length < 0x80 || bytes[offset + 1] === 0) throw invalid('non-minimal length'); // X.690 §10.1
  return { length, next: offset + 1 + count };
}

function readElement(bytes: Uint8Array, offset: number, limit: number): LazyElement {
  if (offset >= limit) throw invalid('truncated element');
  const tag = bytes[offset]!;
  if ((tag & 0x1f) === 0x1f) throw invalid('high tag numbers are not supported');
  const { length, next } = readLength(bytes, offset + 1, limit);
  const end = next + length;
  if (end > limit) throw invalid('element runs past its container');
  return new LazyElement(tag, bytes, offset, next, end);
}

/**
 * Parses `bytes` as exactly one DER element.
 * @throws EncodingError ENCODING_DER_INVALID on malformed or trailing bytes.
 */
export function parseDer(bytes: Uint8Array): DerElement {
  const element = readElement(bytes, 0, bytes.length);
  if (element.end !== bytes.length) throw invalid('trailing bytes after element');
  return element;
}

/**
 * The child elements of a constructed element (SEQUENCE, SET, constructed context tag).
 * @throws EncodingError ENCODING_DER_INVALID if `element` is primitive or its contents are malformed.
 */
export function derChildren(element: DerElement): DerElement[] {
  if ((element.tag & 0x20) === 0) throw invalid('expected a constructed element');
  const { source, contentStart, end } =
    element instanceof LazyElement
      ? element
      : new LazyElement(
          element.tag,
          element.encoded,
          0,
          element.encoded.length - element.contents.length,
          element.encoded.length,
        );
  const children: DerElement[] = [];
  for (let offset = contentStart; offset < end;) {
    const child = readElement(source, offset, end);
    children.push(child);
    offset = child.end;
  }
  return children;
}

/**
 * Returns `element` if its tag is `tag`.
 * @throws EncodingError ENCODING_DER_INVALID naming `what` otherwise.
 */
export function expectTag(element: DerElement | undefined, tag: number, what: string): DerElement {
  if (element === undefined) throw invalid(`${what} is missing`);
  if (element.tag !== tag)
    throw invalid(`${what} has tag 0x${element.tag.toString(16)}, expected 0x${tag.toString(16)}`);
  return element;
}

/** Children of a SEQUENCE named `what`. */
export function derSequenceChildren(element: DerElement | undefined, what: string): DerElement[] {
  return derChildren(expectTag(element, DerTag.sequence, what));
}

/**
 * Magnitude of a non-negative INTEGER (X.690 §8.3), without the sign padding byte.
 * @throws EncodingError ENCODING_DER_INVALID if negative, empty or not minimally encoded.
 */
export function decodeDerUnsignedInteger(element: DerElement | undefined, what: string): Uint8Array {
  const { contents } = expectTag(element, DerTag.integer, what);
  const [first, second] = contents;
  if (first === undefined) throw invalid(`${what} is an empty INTEGER`);
  if ((first & 0x80) !== 0) throw invalid(`${what} is negative`);
  if (first === 0 && second !== undefined && (second & 0x80) === 0) throw invalid(`${what} is not minimally encoded`);
  return first === 0 && second !== undefined ? contents.subarray(1) : contents;
}

/** A non-negative INTEGER that fits a JavaScript safe integer. */
export function decodeDerSmallInteger(element: DerElement | undefined, what: string): number {
  const magnitude = decodeDerUnsignedInteger(element, what);
  if (magnitude.length > 6) throw invalid(`${what} is too large`);
  return magnitude.reduce((value, byte) => value * 256 + byte, 0);
}

/** BOOLEAN, DER form only (X.690 §11.1: FALSE 0x00, TRUE 0xFF). */
export function decodeDerBoolean(element: DerElement | undefined, what: string): boolean {
  const { contents } = expectTag(element, DerTag.boolean, what);
  if (contents.length !== 1 || (contents[0] !== 0x00 && contents[0] !== 0xff))
    throw invalid(`${what} is not a DER BOOLEAN`);
  return contents[0] === 0xff;
}

const MAX_CACHED_OIDS = 256;
const oidCache = new Map<string, string>();

/** OBJECT IDENTIFIER as dotted decimal (X.690 §8.19), minimal sub-identifiers only. */
export function decodeDerObjectIdentifier(element: DerElement | undefined, what: string): string {
  const { contents } = expectTag(element, DerTag.objectIdentifier, what);
  const key = Buffer.from(contents.buffer, contents.byteOffset, contents.length).toString('latin1');
  const cached = oidCache.get(key);
  if (cached !== undefined) return cached;
  const dotted = decodeOidContents(contents, what);
  if (oidCache.size < MAX_CACHED_OIDS) oidCache.set(key, dotted);
  return dotted;
}

function decodeOidContents(contents: Uint8Array, what: string): string {
  if (contents.length === 0 || (contents[contents.length - 1]! & 0x80) !== 0) throw invalid(`${what} is truncated`);
  const arcs: (number | bigint)[] = [];
  let value: number | bigint = 0;
  let fresh = true;
  for (const byte of contents) {
    if (fresh && byte === 0x80) throw invalid(`${what} has a non-minimal sub-identifier`);
    value = nextArcValue(value, byte & 0x7f, arcs.length === 0, what);
    fresh = (byte & 0x80) === 0;
    if (fresh) {
      arcs.push(value);
      value = 0;
    }
  }
  const first = arcs[0]!;
  if (typeof first === 'bigint') throw invalid(`${what} has an oversized arc`);
  const head = first < 80 ? [Math.floor(first / 40), first % 40] : [2, first - 80];
  return [...head, ...arcs.slice(1)].join('.');
}

/**
 * One more base-128 digit of an arc. Arcs above 2^53 - 1 continue as bigint (UUID arcs under 2.25,
 * ITU-T X.667, are 128 bits) up to 160 bits; the first sub-identifier must stay a safe integer.
 */
function nextArcValue(value: number | bigint, digit: number, first: boolean, what: string): number | bigint {
  if (typeof value === 'number') {
    const next = value * 128 + digit;
    if (next <= Number.MAX_SAFE_INTEGER) return next;
    if (first) throw invalid(`${what} has an oversized arc`);
    value = BigInt(value);
  }
  const next = value * 128n + BigInt(digit);
  if (next >= 1n << 160n) throw invalid(`${what} has an oversized arc`);
  return next;
}

/** BIT STRING contents: the unused-bit count and the bytes; DER requires unused bits to be zero. */
export function decodeDerBitString(
  element: DerElement | undefined,
  what: string,
): { unusedBits: number; bytes: Uint8Array } {
  const { contents } = expectTag(element, DerTag.bitString, what);
  const unusedBits = contents[0];
  if (unusedBits === undefined || unusedBits > 7) throw invalid(`${what} has a bad unused-bit count`);
  const bytes = contents.subarray(1);
  const last = bytes[bytes.length - 1];
  if (unusedBits > 0 && (last === undefined || (last & ((1 << unusedBits) - 1)) !== 0)) {
    throw invalid(`${what} has non-zero unused bits`);
  }
  return { unusedBits, bytes };
}

/** The set bit numbers of a named-bit BIT STRING (bit 0 = most significant bit of byte 0). */
export function decodeDerNamedBits(element: DerElement | undefined, what: string): Set<number> {
  const { bytes } = decodeDerBitString(element, what);
  const bits = new Set<number>();
  bytes.forEach((byte, index) => {
    for (let bit = 0; bit < 8; bit++) if ((byte & (0x80 >> bit)) !== 0) bits.add(index * 8 + bit);
  });
  return bits;
}

const PRINTABLE = /^[A-Za-z0-9 '()+,\-./:=?]*$/; // X.680 §41.4 PrintableString
const utf8Decoder = new TextDecoder('utf-8', { fatal: true });

/**
 * Text of a UTF8String, PrintableString or IA5String, checked against its character set.
 * @throws EncodingError ENCODING_DER_INVALID for other string types or invalid characters.
 */
export function decodeDerString(element: DerElement | undefined, what: string): string {
  if (element === undefined) throw invalid(`${what} is missing`);
  let text: string;
  try {
    text = utf8Decoder.decode(element.contents);
  } catch (error) {
    throw new EncodingError('ENCODING_DER_INVALID', `invalid DER: ${what} is not valid UTF-8`, { cause: error });
  }
  if (element.tag === DerTag.utf8String) return text;
  if (element.tag === DerTag.printableString && PRINTABLE.test(text)) return text;
  // eslint-disable-next-line no-control-regex -- IA5String is exactly ASCII 0x00-0x7F
  if (element.tag === DerTag.ia5String && /^[\x00-\x7f]*$/.test(text)) return text;
  throw invalid(`${what} is not a supported string type or has characters outside its type`);
}
