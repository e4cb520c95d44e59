import { derObjectIdentifier, derSequence, encodeDer } from '../encoding/index.js';

/** Object identifiers of the certificate profile (docs/certificates.md). */
export const Oid = {
  /** id-ecPublicKey, RFC 5480 §2.1.1. */
  ecPublicKey: '1.2.840.10045.2.1',
  /** secp256r1 / prime256v1, RFC 5480 §2.1.1.1. */
  prime256v1: '1.2.840.10045.3.1.7',
  /** ecdsa-with-SHA256, RFC 5758 §3.2. */
  ecdsaWithSha256: '1.2.840.10045.4.3.2',
  /** X.520 attribute types, RFC 5280 Appendix A.1. */
  commonName: '2.5.4.3',
  serialNumber: '2.5.4.5',
  organizationName: '2.5.4.10',
  organizationalUnitName: '2.5.4.11',
  /** Certificate extensions, RFC 5280 §4.2.1. */
  subjectKeyIdentifier: '2.5.29.14',
  keyUsage: '2.5.29.15',
  subjectAltName: '2.5.29.17',
  basicConstraints: '2.5.29.19',
  authorityKeyIdentifier: '2.5.29.35',
  /**
   * Ingrain's arc: a UUID OID (ITU-T X.667 / ISO/IEC 9834-8, arc 2.25; no registration needed),
   * UUID fcbb00aa-31e6-42fa-a30e-5a0bba3f2c62 as an integer. Sub-arcs: .1 the chip UID extension, .2 the chip UID attribute
   * (docs/certificates.md, "Chip binding").
   */
  ingrainArc: '2.25.335936427934575574882612561292623293538',
  chipUidExtension: '2.25.335936427934575574882612561292623293538.1',
  chipUidAttribute: '2.25.335936427934575574882612561292623293538.2',
} as const;

/** AlgorithmIdentifier of ecdsa-with-SHA256; RFC 5758 §3.2: the parameters field MUST be absent. */
export const ECDSA_WITH_SHA256_ALGORITHM_DER: Uint8Array = encodeDer(
  derSequence(derObjectIdentifier(Oid.ecdsaWithSha256)),
);

/** KeyUsage bit numbers, RFC 5280 §4.2.1.3. */
export const KeyUsageBit = {
  digitalSignature: 0,
  nonRepudiation: 1,
  keyEncipherment: 2,
  dataEncipherment: 3,
  keyAgreement: 4,
  keyCertSign: 5,
  cRLSign: 6,
  encipherOnly: 7,
  decipherOnly: 8,
} as const;

export type KeyUsageName = keyof typeof KeyUsageBit;
