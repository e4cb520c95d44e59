// Just enough X.509 (RFC 5280 §4.1) to check Ingrain's device certificate profile
// (docs/certificates.md): the TBS bytes, signature algorithm and value, names, validity, key and
// the extensions the profile uses. Anything malformed throws DerError.
import { toHex } from './bytes.js';
import {
  bitStringBytes,
  children,
  decodeOid,
  decodeText,
  decodeTime,
  DerError,
  type DerNode,
  expectTag,
  readNode,
  readSingle,
  TAG,
} from './der.js';

export const OID = {
  ecdsaWithSha256: '1.2.840.10045.4.3.2',
  ecPublicKey: '1.2.840.10045.2.1',
  prime256v1: '1.2.840.10045.3.1.7',
  commonName: '2.5.4.3',
  serialNumber: '2.5.4.5',
  organizationalUnit: '2.5.4.11',
  subjectKeyIdentifier: '2.5.29.14',
  keyUsage: '2.5.29.15',
  subjectAltName: '2.5.29.17',
  basicConstraints: '2.5.29.19',
  authorityKeyIdentifier: '2.5.29.35',
  /** Ingrain's arc (2.25 + UUID fcbb00aa-31e6-42fa-a30e-5a0bba3f2c62): .1 the chip UID extension. */
  chipUidExtension: '2.25.335936427934575574882612561292623293538.1',
  /** .2 the chip UID subject attribute (PrintableString, lowercase hex). */
  chipUidAttribute: '2.25.335936427934575574882612561292623293538.2',
} as const;

export interface Extension {
  readonly oid: string;
  readonly critical: boolean;
  readonly value: Uint8Array;
}

export interface Certificate {
  readonly der: Uint8Array;
  readonly tbs: Uint8Array;
  readonly version: number;
  readonly signatureAlgorithm: string;
  /** The tbsCertificate's own signature field: must equal signatureAlgorithm. */
  readonly tbsSignatureAlgorithm: string;
  readonly signature: Uint8Array;
  readonly issuerDer: Uint8Array;
  readonly subjectDer: Uint8Array;
  /** Subject attributes by OID (each value in order of appearance). */
  readonly subject: ReadonlyMap<string, readonly string[]>;
  readonly notBefore: Date;
  readonly notAfter: Date;
  readonly spkiDer: Uint8Array;
  readonly keyAlgorithm: string;
  readonly keyCurve: string | undefined;
  readonly publicKey: Uint8Array;
  readonly extensions: readonly Extension[];
}

function algorithmOid(node: DerNode): string {
  const [oid] = children(expectTag(node, TAG.SEQUENCE));
  if (oid === undefined) throw new DerError('empty AlgorithmIdentifier');
  return decodeOid(oid);
}

function parseName(node: DerNode): Map<string, string[]> {
  const attributes = new Map<string, string[]>();
  for (const rdn of children(expectTag(node, TAG.SEQUENCE))) {
    for (const pair of children(expectTag(rdn, TAG.SET))) {
      const [type, value] = children(expectTag(pair, TAG.SEQUENCE));
      if (type === undefined || value === undefined) throw new DerError('malformed name attribute');
      const oid = decodeOid(type);
      let text: string;
      try {
        text = decodeText(value);
      } catch {
        continue; // attribute types this verifier does not read
      }
      attributes.set(oid, [...(attributes.get(oid) ?? []), text]);
    }
  }
  return attributes;
}

function parseExtensions(node: DerNode): Extension[] {
  const [list] = children(node);
  if (list === undefined) throw new DerError('empty extensions');
  return children(expectTag(list, TAG.SEQUENCE)).map((extension) => {
    const parts = children(expectTag(extension, TAG.SEQUENCE));
    const oid = decodeOid(parts[0] ?? readNode(new Uint8Array()));
    const critical = parts.length === 3 && parts[1]?.tag === TAG.BOOLEAN && parts[1].content[0] === 0xff;
    const value = parts[parts.length - 1];
    if (value === undefined || value.tag !== TAG.OCTET_STRING) throw new DerError('extension without a value');
    return { oid, critical, value: value.content };
  });
}

/** Parses one DER certificate. @throws DerError when it is not a well-formed certificate. */
export function parseCertificate(der: Uint8Array): Certificate {
  const [tbsNode, algorithmNode, signatureNode, ...rest] = children(readSingle(der, TAG.SEQUENCE));
  if (tbsNode === undefined || algorithmNode === undefined || signatureNode === undefined || rest.length > 0) {
    throw new DerError('a certificate has exactly three parts');
  }
  const fields = children(expectTag(tbsNode, TAG.SEQUENCE));
  let index = 0;
  let version = 1;
  if (fields[0]?.tag === 0xa0) {
    const [versionNode] = children(fields[0]);
    version = (versionNode?.content[0] ?? 0) + 1;
    index = 1;
  }
  const [, tbsAlgorithm, issuer, validity, subject, spki, ...optional] = fields.slice(index);
  if (
    tbsAlgorithm === undefined ||
    issuer === undefined ||
    validity === undefined ||
    subject === undefined ||
    spki === undefined
  ) {
    throw new DerError('tbsCertificate is missing fields');
  }
  const [notBefore, notAfter] = children(expectTag(validity, TAG.SEQUENCE));
  if (notBefore === undefined || notAfter === undefined) throw new DerError('malformed validity');
  const [keyAlgorithmNode, keyNode] = children(expectTag(spki, TAG.SEQUENCE));
  if (keyAlgorithmNode === undefined || keyNode === undefined) throw new DerError('malformed subjectPublicKeyInfo');
  const [keyAlgorithm, keyParameter] = children(expectTag(keyAlgorithmNode, TAG.SEQUENCE));
  const extensionsNode = optional.find((node) => node.tag === 0xa3);
  return {
    der,
    tbs: tbsNode.bytes,
    version,
    signatureAlgorithm: algorithmOid(algorithmNode),
    tbsSignatureAlgorithm: algorithmOid(tbsAlgorithm),
    signature: bitStringBytes(signatureNode),
    issuerDer: issuer.bytes,
    subjectDer: subject.bytes,
    subject: parseName(subject),
    notBefore: decodeTime(notBefore),
    notAfter: decodeTime(notAfter),
    spkiDer: spki.bytes,
    keyAlgorithm: decodeOid(keyAlgorithm ?? readNode(new Uint8Array())),
    keyCurve: keyParameter?.tag === TAG.OID ? decodeOid(keyParameter) : undefined,
    publicKey: bitStringBytes(keyNode),
    extensions: extensionsNode === undefined ? [] : parseExtensions(extensionsNode),
  };
}

export function findExtension(certificate: Certificate, oid: string): Extension | undefined {
  return certificate.extensions.find((extension) => extension.oid === oid);
}

/** basicConstraints: `{ ca }` (cA defaults to FALSE), undefined when absent. */
export function basicConstraints(certificate: Certificate): { readonly ca: boolean } | undefined {
  const extension = findExtension(certificate, OID.basicConstraints);
  if (extension === undefined) return undefined;
  const [first] = children(readSingle(extension.value, TAG.SEQUENCE));
  return { ca: first?.tag === TAG.BOOLEAN && first.content[0] === 0xff };
}

/** keyUsage bits by name (RFC 5280 §4.2.1.3), undefined when absent. */
export function keyUsage(certificate: Certificate): ReadonlySet<string> | undefined {
  const extension = findExtension(certificate, OID.keyUsage);
  if (extension === undefined) return undefined;
  const node = readSingle(extension.value, TAG.BIT_STRING);
  const names = [
    'digitalSignature',
    'nonRepudiation',
    'keyEncipherment',
    'dataEncipherment',
    'keyAgreement',
    'keyCertSign',
    'cRLSign',
    'encipherOnly',
    'decipherOnly',
  ];
  const bits = new Set<string>();
  names.forEach((name, bit) => {
    const byte = node.content[1 + Math.floor(bit / 8)] ?? 0;
    if ((byte & (0x80 >> (bit % 8))) !== 0) bits.add(name);
  });
  return bits;
}

/** The URIs of subjectAltName (GeneralName [6] uniformResourceIdentifier). */
export function subjectAltNameUris(certificate: Certificate): string[] {
  const extension = findExtension(certificate, OID.subjectAltName);
  if (extension === undefined) return [];
  return children(readSingle(extension.value, TAG.SEQUENCE))
    .filter((name) => name.tag === 0x86)
    .map((name) => new TextDecoder().decode(name.content));
}

/**
 * The chip UID extension's UID in lowercase hex (its extnValue is one OCTET STRING of 1-32 bytes,
 * docs/certificates.md "Chip binding"), undefined when absent. @throws DerError when malformed.
 */
export function chipUidExtension(certificate: Certificate): string | undefined {
  const found = certificate.extensions.filter((extension) => extension.oid === OID.chipUidExtension);
  if (found.length === 0) return undefined;
  if (found.length > 1) throw new DerError('more than one chip UID extension');
  const uid = readSingle(found[0]!.value, TAG.OCTET_STRING).content;
  if (uid.length === 0 || uid.length > 32) throw new DerError('the chip UID must be 1-32 bytes');
  return toHex(uid);
}

/** subjectKeyIdentifier bytes, or authorityKeyIdentifier's keyIdentifier [0]. */
export function keyIdentifier(certificate: Certificate, which: 'subject' | 'authority'): Uint8Array | undefined {
  if (which === 'subject') {
    const extension = findExtension(certificate, OID.subjectKeyIdentifier);
    return extension === undefined ? undefined : readSingle(extension.value, TAG.OCTET_STRING).content;
  }
  const extension = findExtension(certificate, OID.authorityKeyIdentifier);
  if (extension === undefined) return undefined;
  return children(readSingle(extension.value, TAG.SEQUENCE)).find((node) => node.tag === 0x80)?.content;
}
