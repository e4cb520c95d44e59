import { EncodingError } from '#ingrain/encoding';
import {
  contextTag,
  decodeDerBitString,
  decodeDerBoolean,
  decodeDerObjectIdentifier,
  decodeDerSmallInteger,
  decodeDerUnsignedInteger,
  derChildren,
  type DerElement,
  derSequenceChildren,
  DerTag,
  expectTag,
  parseDer,
} from '../encoding/index.js';
import { decodeName, type NameAttribute } from './names.js';
import { decodeCertificateTime } from './time.js';

/** One extension as found in a certificate. */
export interface ParsedExtension {
  readonly critical: boolean;
  /** The DER inside extnValue. */
  readonly valueDer: Uint8Array;
}

/** The fields of an X.509 certificate (RFC 5280 §4.1), as views into the DER. */
export interface ParsedCertificate {
  readonly der: Uint8Array;
  readonly tbsDer: Uint8Array;
  /** 1, 2 or 3 (the encoded value plus one). */
  readonly version: number;
  readonly serialNumber: Uint8Array;
  /** DER AlgorithmIdentifier, checked equal in the TBS and the outer certificate (§4.1.1.2). */
  readonly signatureAlgorithmDer: Uint8Array;
  readonly signatureAlgorithmOid: string;
  readonly signatureValue: Uint8Array;
  /** The issuer Name DER (decode it with decodeName when needed; verification compares bytes). */
  readonly issuerDer: Uint8Array;
  readonly subjectDer: Uint8Array;
  readonly subject: readonly NameAttribute[];
  readonly notBefore: Date;
  readonly notAfter: Date;
  readonly spkiDer: Uint8Array;
  /** By extension OID; duplicates are rejected (§4.2). */
  readonly extensions: ReadonlyMap<string, ParsedExtension>;
}

const invalid = (what: string): EncodingError => new EncodingError('ENCODING_DER_INVALID', `invalid DER: ${what}`);

function parseExtensions(element: DerElement | undefined): Map<string, ParsedExtension> {
  const extensions = new Map<string, ParsedExtension>();
  if (element === undefined) return extensions;
  const [list, extra] = derChildren(expectTag(element, contextTag(3, true), 'extensions'));
  if (extra !== undefined) throw invalid('extensions wrapper has extra fields');
  for (const extension of derSequenceChildren(list, 'extensions')) {
    const fields = derSequenceChildren(extension, 'extension');
    const oid = decodeDerObjectIdentifier(fields[0], 'extnID');
    const critical = fields.length === 3 ? decodeDerBoolean(fields[1], 'critical') : false;
    if (fields.length !== 2 && fields.length !== 3) throw invalid(`extension ${oid} has ${fields.length} fields`);
    const valueDer = expectTag(fields[fields.length - 1], DerTag.octetString, 'extnValue').contents;
    if (extensions.has(oid)) throw invalid(`extension ${oid} appears twice`);
    extensions.set(oid, { critical, valueDer });
  }
  return extensions;
}

function parseVersion(fields: DerElement[]): { version: number; rest: DerElement[] } {
  if (fields[0]?.tag !== contextTag(0, true)) return { version: 1, rest: fields };
  const [value, extra] = derChildren(fields[0]);
  if (extra !== undefined) throw invalid('version has extra fields');
  const version = decodeDerSmallInteger(value, 'version') + 1;
  if (version > 3) throw invalid(`unknown certificate version ${version}`);
  return { version, rest: fields.slice(1) };
}

/**
 * Parses a DER X.509 certificate strictly enough to check Ingrain's profile. It does not verify
 * anything; see verifyDeviceCertificateChain.
 * @throws EncodingError ENCODING_DER_INVALID naming the malformed field.
 */
export function parseCertificate(der: Uint8Array): ParsedCertificate {
  const [tbs, outerAlgorithm, signature, extra] = derSequenceChildren(parseDer(der), 'Certificate');
  if (tbs === undefined || outerAlgorithm === undefined || extra !== undefined) throw invalid('Certificate shape');
  const { version, rest } = parseVersion(derSequenceChildren(tbs, 'TBSCertificate'));
  const [serial, algorithm, issuer, validity, subject, spki, ...optional] = rest;
  if (algorithm === undefined || Buffer.compare(algorithm.encoded, outerAlgorithm.encoded) !== 0) {
    throw invalid('TBS signature algorithm differs from the certificate signature algorithm');
  }
  const [notBefore, notAfter, extraTime] = derSequenceChildren(validity, 'validity');
  if (extraTime !== undefined) throw invalid('validity has extra fields');
  const signatureBits = decodeDerBitString(signature, 'signatureValue');
  if (signatureBits.unusedBits !== 0) throw invalid('signatureValue has unused bits');
  const extensionsElement = optional.find((e) => e.tag === contextTag(3, true));
  if (
    optional.some((e) => e.tag !== contextTag(1, false) && e.tag !== contextTag(2, false) && e !== extensionsElement)
  ) {
    throw invalid('unexpected TBSCertificate field');
  }
  return {
    der,
    tbsDer: tbs.encoded,
    version,
    serialNumber: decodeDerUnsignedInteger(serial, 'serialNumber'),
    signatureAlgorithmDer: algorithm.encoded,
    signatureAlgorithmOid: decodeDerObjectIdentifier(derSequenceChildren(algorithm, 'signature')[0], 'algorithm'),
    signatureValue: signatureBits.bytes,
    issuerDer: expectTag(issuer, DerTag.sequence, 'issuer').encoded,
    subjectDer: expectTag(subject, DerTag.sequence, 'subject').encoded,
    subject: decodeName(subject, 'subject'),
    notBefore: decodeCertificateTime(notBefore, 'notBefore'),
    notAfter: decodeCertificateTime(notAfter, 'notAfter'),
    spkiDer: expectTag(spki, DerTag.sequence, 'subjectPublicKeyInfo').encoded,
    extensions: parseExtensions(extensionsElement),
  };
}
