import { EncodingError } from '#ingrain/encoding';
import {
  decodeDerObjectIdentifier,
  decodeDerString,
  derChildren,
  type DerElement,
  derObjectIdentifier,
  derSequence,
  type DerNode,
  derSequenceChildren,
  derSetOf,
  derString,
  DerTag,
} from '../encoding/index.js';

/** One attribute of a distinguished name, e.g. { oid: '2.5.4.3', value: 'SN-0001' }. */
export interface NameAttribute {
  readonly oid: string;
  /** The text, or undefined for string types this library does not decode (e.g. BMPString). */
  readonly value: string | undefined;
}

/** Encodes an RDNSequence (RFC 5280 §4.1.2.4) with one attribute per RDN, in the given order. */
export function encodeName(attributes: readonly { oid: string; tag: number; value: string }[]): DerNode {
  return derSequence(
    ...attributes.map((a) => derSetOf(derSequence(derObjectIdentifier(a.oid), derString(a.tag, a.value)))),
  );
}

function decodeAttributeValue(element: DerElement | undefined): string | undefined {
  try {
    return decodeDerString(element, 'attribute value');
  } catch (error) {
    if (error instanceof EncodingError) return undefined;
    throw error;
  }
}

/** Decodes an RDNSequence into its attributes in order (multi-valued RDNs are flattened). */
export function decodeName(element: DerElement | undefined, what: string): NameAttribute[] {
  const attributes: NameAttribute[] = [];
  for (const rdn of derSequenceChildren(element, what)) {
    if (rdn.tag !== DerTag.set)
      throw new EncodingError('ENCODING_DER_INVALID', `invalid DER: ${what} RDN is not a SET`);
    for (const atv of derChildren(rdn)) {
      const [type, value, extra] = derSequenceChildren(atv, `${what} attribute`);
      if (extra !== undefined) throw new EncodingError('ENCODING_DER_INVALID', `invalid DER: ${what} attribute`);
      attributes.push({
        oid: decodeDerObjectIdentifier(type, `${what} attribute type`),
        value: decodeAttributeValue(value),
      });
    }
  }
  return attributes;
}

/** The value of the first attribute of type `oid`, if any. */
export function nameAttribute(attributes: readonly NameAttribute[], oid: string): string | undefined {
  return attributes.find((a) => a.oid === oid)?.value;
}

/** Product and device serial: 1–64 characters of A–Z a–z 0–9 . _ - (starting alphanumeric). */
export const DEVICE_IDENTIFIER_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** Chip UID: lowercase or uppercase hex, 1–32 bytes. */
export const CHIP_UID_HEX_PATTERN = /^(?:[0-9a-fA-F]{2}){1,32}$/;
