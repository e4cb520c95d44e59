// A minimal strict DER reader (ITU-T X.690 §8 and §10): tag, definite minimal length, content.
// Enough for X.509 certificates and ECDSA signatures; anything else is a DerError.

export class DerError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DerError';
  }
}

export const TAG = {
  BOOLEAN: 0x01,
  INTEGER: 0x02,
  BIT_STRING: 0x03,
  OCTET_STRING: 0x04,
  OID: 0x06,
  UTF8_STRING: 0x0c,
  PRINTABLE_STRING: 0x13,
  IA5_STRING: 0x16,
  UTC_TIME: 0x17,
  GENERALIZED_TIME: 0x18,
  SEQUENCE: 0x30,
  SET: 0x31,
} as const;

/** One TLV: `tag` is the identifier octet (low tag numbers only), `bytes` the whole encoding. */
export interface DerNode {
  readonly tag: number;
  readonly content: Uint8Array;
  readonly bytes: Uint8Array;
}

/** The TLV starting at `offset` of `input`. */
export function readNode(input: Uint8Array, offset = 0): DerNode {
  const tag = input[offset];
  if (tag === undefined) throw new DerError('truncated: no tag');
  if ((tag & 0x1f) === 0x1f) throw new DerError('high tag numbers are not used here');
  const first = input[offset + 1];
  if (first === undefined) throw new DerError('truncated: no length');
  let length = first;
  let header = 2;
  if (first & 0x80) {
    const count = first & 0x7f;
    if (count === 0 || count > 4) throw new DerError('indefinite or oversized length');
    length = 0;
    for (let i = 0; i < count; i++) {
      const byte = input[offset + 2 + i];
      if (byte === undefined) throw new DerError('truncated length');
      if (i === 0 && byte === 0) throw new DerError('length not minimal');
      length = length * 256 + byte;
    }
    if (length < 0x80) throw new DerError('length not minimal');
    header += count;
  }
  const end = offset + header + length;
  if (end > input.length) throw new DerError('truncated content');
  return { tag, content: input.subarray(offset + header, end), bytes: input.subarray(offset, end) };
}

/** Exactly one TLV filling `input`. */
export function readSingle(input: Uint8Array, expectedTag?: number): DerNode {
  const node = readNode(input);
  if (node.bytes.length !== input.length) throw new DerError('trailing bytes after the value');
  if (expectedTag !== undefined) expectTag(node, expectedTag);
  return node;
}

export function expectTag(node: DerNode, tag: number): DerNode {
  if (node.tag !== tag) throw new DerError(`expected tag 0x${tag.toString(16)}, found 0x${node.tag.toString(16)}`);
  return node;
}

/** The TLVs inside a constructed node. */
export function children(node: DerNode): DerNode[] {
  const out: DerNode[] = [];
  let offset = 0;
  while (offset < node.content.length) {
    const child = readNode(node.content, offset);
    out.push(child);
    offset += child.bytes.length;
  }
  return out;
}

/**
 * Dotted form of an OBJECT IDENTIFIER's content, exact for arcs of any size (BigInt: Ingrain's own
 * arc is a 128-bit UUID, docs/certificates.md "Chip binding"). Each subidentifier must be minimal
 * (no leading 0x80), so one OID has one encoding and comparing dotted forms compares the DER bytes.
 */
export function decodeOid(node: DerNode): string {
  expectTag(node, TAG.OID);
  const content = node.content;
  if (content.length === 0 || (content[content.length - 1]! & 0x80) !== 0) {
    throw new DerError('malformed object identifier');
  }
  const parts: bigint[] = [];
  let value = 0n;
  let start = true;
  for (const byte of content) {
    if (start && byte === 0x80) throw new DerError('object identifier subidentifier not minimal');
    value = value * 128n + BigInt(byte & 0x7f);
    start = (byte & 0x80) === 0;
    if (start) {
      if (parts.length === 0) parts.push(value < 80n ? value / 40n : 2n, value < 80n ? value % 40n : value - 80n);
      else parts.push(value);
      value = 0n;
    }
  }
  return parts.join('.');
}

/** The unsigned magnitude of a non-negative minimal INTEGER. */
export function unsignedInteger(node: DerNode): Uint8Array {
  expectTag(node, TAG.INTEGER);
  const c = node.content;
  if (c.length === 0) throw new DerError('empty integer');
  if (c.length > 1 && c[0] === 0 && (c[1]! & 0x80) === 0) throw new DerError('integer not minimal');
  if (c.length > 1 && c[0] === 0xff && (c[1]! & 0x80) !== 0) throw new DerError('integer not minimal');
  if ((c[0]! & 0x80) !== 0) throw new DerError('negative integer');
  return c[0] === 0 && c.length > 1 ? c.subarray(1) : c;
}

/** The bytes of a BIT STRING with no unused bits (keys, signatures). */
export function bitStringBytes(node: DerNode): Uint8Array {
  expectTag(node, TAG.BIT_STRING);
  if (node.content[0] !== 0) throw new DerError('bit string with unused bits');
  return node.content.subarray(1);
}

export function decodeText(node: DerNode): string {
  if (![TAG.UTF8_STRING, TAG.PRINTABLE_STRING, TAG.IA5_STRING].includes(node.tag as 0x0c)) {
    throw new DerError(`unsupported string type 0x${node.tag.toString(16)}`);
  }
  return new TextDecoder('utf-8', { fatal: true }).decode(node.content);
}

/** UTCTime (YYMMDDHHMMSSZ, 1950-2049) or GeneralizedTime (YYYYMMDDHHMMSSZ), RFC 5280 §4.1.2.5. */
export function decodeTime(node: DerNode): Date {
  const text = new TextDecoder().decode(node.content);
  let match: RegExpExecArray | null;
  let year: number;
  if (node.tag === TAG.UTC_TIME) {
    match = /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(text);
    if (match === null) throw new DerError('malformed UTCTime');
    const yy = Number(match[1]);
    year = yy < 50 ? 2000 + yy : 1900 + yy;
  } else if (node.tag === TAG.GENERALIZED_TIME) {
    match = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(text);
    if (match === null) throw new DerError('malformed GeneralizedTime');
    year = Number(match[1]);
  } else {
    throw new DerError('expected a time');
  }
  const [, , mo, d, h, mi, s] = match.map(Number);
  return new Date(Date.UTC(year, mo! - 1, d, h, mi, s));
}
