import { EncodingError } from '#ingrain/encoding';
import {
  contextTag,
  decodeDerBoolean,
  decodeDerNamedBits,
  decodeDerSmallInteger,
  derBoolean,
  derElement,
  type DerNode,
  type DerPart,
  derNamedBitString,
  derObjectIdentifier,
  derOctetString,
  derSequence,
  derSequenceChildren,
  derSmallInteger,
  DerTag,
  expectTag,
  parseDer,
} from '../encoding/index.js';
import { KeyUsageBit, type KeyUsageName, Oid } from './oids.js';

/** Extension ::= SEQUENCE { extnID, critical DEFAULT FALSE (omitted when false: DER), extnValue } (RFC 5280 §4.1). */
export function encodeExtension(oid: string, critical: boolean, valueDer: DerPart): DerNode {
  const parts: DerPart[] = [derObjectIdentifier(oid)];
  if (critical) parts.push(derBoolean(true));
  parts.push(derOctetString(valueDer));
  return derSequence(...parts);
}

/** basicConstraints (RFC 5280 §4.2.1.9), always critical here. cA FALSE is the DEFAULT: omitted. */
export function basicConstraintsExtension(ca: boolean, pathLength?: number): DerNode {
  const fields: DerPart[] = [];
  if (ca) fields.push(derBoolean(true));
  if (ca && pathLength !== undefined) fields.push(derSmallInteger(pathLength));
  return encodeExtension(Oid.basicConstraints, true, derSequence(...fields));
}

/** keyUsage (RFC 5280 §4.2.1.3), always critical here. */
export function keyUsageExtension(usages: readonly KeyUsageName[]): DerNode {
  return encodeExtension(Oid.keyUsage, true, derNamedBitString(usages.map((u) => KeyUsageBit[u])));
}

/** subjectKeyIdentifier (RFC 5280 §4.2.1.2), non-critical as the RFC requires. */
export function subjectKeyIdentifierExtension(keyId: Uint8Array): DerNode {
  return encodeExtension(Oid.subjectKeyIdentifier, false, derOctetString(keyId));
}

/** authorityKeyIdentifier with keyIdentifier [0] only (RFC 5280 §4.2.1.1), non-critical. */
export function authorityKeyIdentifierExtension(keyId: Uint8Array): DerNode {
  return encodeExtension(Oid.authorityKeyIdentifier, false, derSequence(derElement(contextTag(0, false), keyId)));
}

/** subjectAltName of uniformResourceIdentifier [6] IA5String names (RFC 5280 §4.2.1.6), non-critical. */
export function subjectAltNameUrisExtension(uris: readonly string[]): DerNode {
  const names = uris.map((uri) => derElement(contextTag(6, false), Buffer.from(uri, 'ascii')));
  return encodeExtension(Oid.subjectAltName, false, derSequence(...names));
}

const invalid = (what: string): EncodingError => new EncodingError('ENCODING_DER_INVALID', `invalid DER: ${what}`);

/** Decoded basicConstraints value. */
export function decodeBasicConstraints(valueDer: Uint8Array): { ca: boolean; pathLength: number | undefined } {
  const fields = derSequenceChildren(parseDer(valueDer), 'basicConstraints');
  let index = 0;
  const ca = fields[index]?.tag === DerTag.boolean ? decodeDerBoolean(fields[index++], 'cA') : false;
  const pathLength =
    fields[index] === undefined ? undefined : decodeDerSmallInteger(fields[index++], 'pathLenConstraint');
  if (index !== fields.length) throw invalid('basicConstraints has extra fields');
  return { ca, pathLength };
}

/** Names of the bits set in a keyUsage value. */
export function decodeKeyUsage(valueDer: Uint8Array): Set<KeyUsageName> {
  const bits = decodeDerNamedBits(parseDer(valueDer), 'keyUsage');
  const names = (Object.keys(KeyUsageBit) as KeyUsageName[]).filter((name) => bits.has(KeyUsageBit[name]));
  return new Set(names);
}

/** The key identifier in a subjectKeyIdentifier value. */
export function decodeSubjectKeyIdentifier(valueDer: Uint8Array): Uint8Array {
  return expectTag(parseDer(valueDer), DerTag.octetString, 'subjectKeyIdentifier').contents;
}

/** The keyIdentifier [0] of an authorityKeyIdentifier value, if present. */
export function decodeAuthorityKeyIdentifier(valueDer: Uint8Array): Uint8Array | undefined {
  const fields = derSequenceChildren(parseDer(valueDer), 'authorityKeyIdentifier');
  return fields.find((f) => f.tag === contextTag(0, false))?.contents;
}

/** The uniformResourceIdentifier names of a subjectAltName value (other name forms are skipped). */
export function decodeSubjectAltNameUris(valueDer: Uint8Array): string[] {
  const names = derSequenceChildren(parseDer(valueDer), 'subjectAltName');
  if (names.length === 0) throw invalid('subjectAltName is empty'); // RFC 5280 §4.2.1.6: SIZE (1..MAX)
  return names
    .filter((name) => name.tag === contextTag(6, false))
    .map((name) => {
      // eslint-disable-next-line no-control-regex -- IA5String is ASCII
      if (!/^[\x00-\x7f]*$/.test(Buffer.from(name.contents).toString('latin1'))) throw invalid('URI is not IA5String');
      return Buffer.from(name.contents).toString('ascii');
    });
}
