/**
 * A minimal DER writer (ITU-T X.690 §8 and §10) for the few universal types X.509 certificates
 * need. Constructed values are built as a light tree of {@link DerNode}s whose lengths are known
 * up front, and {@link encodeDer} writes the whole tree into one buffer: typed-array allocations,
 * not arithmetic, dominate the cost of encoding a certificate. Only low tag numbers (< 31) are
 * supported, which covers X.509.
 */

/** Universal tags, X.680 §8.6 Table 1. */
export const DerTag = {
  boolean: 0x01,
  integer: 0x02,
  bitString: 0x03,
  octetString: 0x04,
  null: 0x05,
  objectIdentifier: 0x06,
  utf8String: 0x0c,
  printableString: 0x13,
  ia5String: 0x16,
  utcTime: 0x17,
  generalizedTime: 0x18,
  sequence: 0x30,
  set: 0x31,
} as const;

/** A TLV whose contents are other parts, serialized by {@link encodeDer}. */
export interface DerNode {
  readonly tag: number;
  readonly parts: readonly DerPart[];
  readonly contentLength: number;
  /** Length of the whole TLV once encoded. */
  readonly encodedLength: number;
}

/** Encoded DER bytes, or a node still to be serialized. */
export type DerPart = Uint8Array | DerNode;

/** Tag byte of a context-specific [n] element (X.690 §8.1.2: class bits 10, constructed bit 0x20). */
export function contextTag(tagNumber: number, constructed: boolean): number {
  return 0x80 | (constructed ? 0x20 : 0) | tagNumber;
}

function lengthOfLength(length: number): number {
  if (length < 0x80) return 1; // X.690 §8.1.3.4 short form
  let count = 1;
  for (let rest = length; rest > 0xff; rest = Math.floor(rest / 256)) count++;
  return 1 + count; // §8.1.3.5 long form, minimal (§10.1)
}

function writeHeader(out: Uint8Array, offset: number, tag: number, length: number): number {
  const headerLength = lengthOfLength(length);
  out[offset] = tag;
  if (headerLength === 1) {
    out[offset + 1] = length;
  } else {
    out[offset + 1] = 0x80 | (headerLength - 1);
    for (let i = headerLength - 1, rest = length; i >= 1; i--, rest = Math.floor(rest / 256))
      out[offset + 1 + i] = rest & 0xff;
  }
  return offset + 1 + headerLength;
}

const partLength = (part: DerPart): number => (part instanceof Uint8Array ? part.length : part.encodedLength);

/** A TLV with the given tag byte around `parts` (nothing is copied until {@link encodeDer}). */
export function derElement(tag: number, ...parts: readonly DerPart[]): DerNode {
  let contentLength = 0;
  for (const part of parts) contentLength += partLength(part);
  return { tag, parts, contentLength, encodedLength: 1 + lengthOfLength(contentLength) + contentLength };
}

function writePart(out: Uint8Array, offset: number, part: DerPart): number {
  if (part instanceof Uint8Array) {
    out.set(part, offset);
    return offset + part.length;
  }
  let next = writeHeader(out, offset, part.tag, part.contentLength);
  for (const child of part.parts) next = writePart(out, next, child);
  return next;
}

/** The DER bytes of `part` (one allocation for a whole tree; encoded bytes are returned as they are). */
export function encodeDer(part: DerPart): Uint8Array {
  if (part instanceof Uint8Array) return part;
  const out = new Uint8Array(part.encodedLength);
  writePart(out, 0, part);
  return out;
}

/** A primitive TLV written directly (one allocation). */
function primitive(tag: number, contents: Uint8Array | readonly number[]): Uint8Array {
  const out = new Uint8Array(1 + lengthOfLength(contents.length) + contents.length);
  out.set(contents, writeHeader(out, 0, tag, contents.length));
  return out;
}

export function derSequence(...children: readonly DerPart[]): DerNode {
  return derElement(DerTag.sequence, ...children);
}

/** SET OF with its elements sorted by their encodings, as X.690 §11.6 requires for DER. */
export function derSetOf(...children: readonly DerPart[]): DerNode {
  if (children.length < 2) return derElement(DerTag.set, ...children);
  const sorted = children.map(encodeDer).sort((a, b) => Buffer.compare(a, b));
  return derElement(DerTag.set, ...sorted);
}

/**
 * INTEGER from an unsigned big-endian magnitude (X.690 §8.3): strips redundant leading zeros and
 * adds one 0x00 when the top bit is set, so the value is read as non-negative.
 */
export function derUnsignedInteger(magnitude: Uint8Array): Uint8Array {
  let start = 0;
  while (start < magnitude.length - 1 && magnitude[start] === 0) start++;
  const trimmed = magnitude.subarray(start);
  if (trimmed.length === 0) return primitive(DerTag.integer, [0]);
  if ((trimmed[0]! & 0x80) === 0) return primitive(DerTag.integer, trimmed);
  const out = new Uint8Array(1 + lengthOfLength(trimmed.length + 1) + trimmed.length + 1);
  const offset = writeHeader(out, 0, DerTag.integer, trimmed.length + 1);
  out.set(trimmed, offset + 1); // out[offset] stays 0x00: the sign padding byte
  return out;
}

/** INTEGER of a small non-negative JavaScript number. */
export function derSmallInteger(value: number): Uint8Array {
  const bytes: number[] = [];
  for (let rest = value; rest > 0; rest = Math.floor(rest / 256)) bytes.unshift(rest & 0xff);
  return derUnsignedInteger(Uint8Array.from(bytes));
}

export function derBoolean(value: boolean): Uint8Array {
  return primitive(DerTag.boolean, [value ? 0xff : 0x00]); // X.690 §11.1: TRUE is 0xFF
}

export function derNull(): Uint8Array {
  return Uint8Array.of(DerTag.null, 0);
}

export function derOctetString(contents: DerPart): DerNode {
  return derElement(DerTag.octetString, contents);
}

const NO_UNUSED_BITS = Uint8Array.of(0);

/** BIT STRING of whole bytes (unused-bits count 0). */
export function derBitString(bytes: Uint8Array): DerNode {
  return derElement(DerTag.bitString, NO_UNUSED_BITS, bytes);
}

/**
 * BIT STRING of named bits (X.690 §11.2.2: trailing zero bits removed), e.g. KeyUsage. `bits` are
 * bit numbers, bit 0 being the most significant bit of the first byte.
 */
export function derNamedBitString(bits: readonly number[]): Uint8Array {
  if (bits.length === 0) return primitive(DerTag.bitString, [0]);
  const highest = Math.max(...bits);
  const bytes = new Uint8Array(Math.floor(highest / 8) + 2);
  bytes[0] = 7 - (highest & 7); // unused bits in the last byte
  for (const bit of bits) bytes[1 + (bit >> 3)]! |= 0x80 >> (bit & 7);
  return primitive(DerTag.bitString, bytes);
}

const oidEncodings = new Map<string, Uint8Array>();

/** OBJECT IDENTIFIER from dotted decimal (X.690 §8.19). Encodings are memoized: do not mutate the result. */
export function derObjectIdentifier(dotted: string): Uint8Array {
  let encoded = oidEncodings.get(dotted);
  if (encoded === undefined) {
    encoded = encodeObjectIdentifier(dotted);
    if (oidEncodings.size < 256) oidEncodings.set(dotted, encoded);
  }
  return encoded;
}

function encodeObjectIdentifier(dotted: string): Uint8Array {
  if (dotted.split('.').some((arc) => arc.length > 15)) return encodeLargeObjectIdentifier(dotted);
  const arcs = dotted.split('.').map(Number);
  const [first, second, ...rest] = arcs;
  if (first === undefined || second === undefined || arcs.some((a) => !Number.isSafeInteger(a) || a < 0)) {
    throw new RangeError(`invalid object identifier ${dotted}`);
  }
  const bytes: number[] = [];
  for (const arc of [first * 40 + second, ...rest]) {
    const groups: number[] = [arc & 0x7f];
    for (let value = Math.floor(arc / 128); value > 0; value = Math.floor(value / 128)) {
      groups.unshift(0x80 | (value & 0x7f));
    }
    bytes.push(...groups);
  }
  return primitive(DerTag.objectIdentifier, bytes);
}

/** The same encoding with bigint arcs (e.g. a 128-bit UUID arc under 2.25, ITU-T X.667). */
function encodeLargeObjectIdentifier(dotted: string): Uint8Array {
  if (!/^[0-2](?:\.(?:0|[1-9][0-9]*))+$/.test(dotted)) throw new RangeError(`invalid object identifier ${dotted}`);
  const arcs = dotted.split('.').map(BigInt);
  const [first, second, ...rest] = arcs as [bigint, bigint, ...bigint[]];
  if (first < 2n && second >= 40n) throw new RangeError(`invalid object identifier ${dotted}`);
  const bytes: number[] = [];
  for (const arc of [first * 40n + second, ...rest]) {
    const groups: number[] = [Number(arc & 0x7fn)];
    for (let value = arc >> 7n; value > 0n; value >>= 7n) groups.unshift(0x80 | Number(value & 0x7fn));
    bytes.push(...groups);
  }
  return primitive(DerTag.objectIdentifier, bytes);
}

/** A string type whose contents are the UTF-8 (or ASCII) bytes of `text`. */
export function derString(tag: number, text: string): DerNode {
  return derElement(tag, Buffer.from(text, 'utf8'));
}
