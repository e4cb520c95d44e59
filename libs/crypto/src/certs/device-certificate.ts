import { EncodingError } from '#ingrain/encoding';
import { type DerNode, DerTag, encodeDer } from '../encoding/index.js';
import { type Signer } from '../signer.js';
import { type IssuedCertificate, toIssuedCertificate } from './certificate-result.js';
import { chipUidAttributeValue, chipUidExtension } from './chip-uid.js';
import { chipUidUrn, deviceUrn } from './device-urn.js';
import { CertificateError } from './errors.js';
import {
  basicConstraintsExtension,
  keyUsageExtension,
  subjectAltNameUrisExtension,
  subjectKeyIdentifierExtension,
} from './extensions.js';
import { cachedDeviceCertificateIssuer, type DeviceCertificateIssuer } from './issuer.js';
import { CHIP_UID_HEX_PATTERN, DEVICE_IDENTIFIER_PATTERN, encodeName } from './names.js';
import { Oid } from './oids.js';
import { randomSerialNumber, type RandomSource } from './serial-number.js';
import { keyIdentifier, p256PublicKeyBits } from './spki.js';
import { encodeTbsCertificate, signTbsCertificate } from './tbs.js';
import { validityWindow } from './validity.js';

/** Who signs: a prepared issuer (fast path), or the CA signer and certificate (prepared once per signer and cached). */
export type DeviceCertificateIssuerInput =
  { readonly issuer: DeviceCertificateIssuer } | { readonly caSigner: Signer; readonly caCertificatePem: string };

export type IssueDeviceCertificateInput = DeviceCertificateIssuerInput & {
  /** DER SPKI of the device's P-256 key (uncompressed point), as the HSM exports it. */
  readonly devicePublicKeySpkiDer: Uint8Array;
  /** Product (layout) name: 1–64 of A–Z a–z 0–9 . _ -, starting alphanumeric. */
  readonly product: string;
  /** Device serial, same character set. */
  readonly serial: string;
  /** The chip's unique ID in hex (1–32 bytes), when known at issuance. */
  readonly chipUidHex?: string;
  /** Source of the 127-bit random certificate serial number. */
  readonly random: RandomSource;
  readonly notBefore: Date;
  readonly validityDays: number;
};

// Identical in every device certificate: encoded once.
const DEVICE_BASIC_CONSTRAINTS = encodeDer(basicConstraintsExtension(false));
const DEVICE_KEY_USAGE = encodeDer(keyUsageExtension(['digitalSignature', 'keyAgreement']));

function checkIdentity(input: IssueDeviceCertificateInput): void {
  if (!DEVICE_IDENTIFIER_PATTERN.test(input.product)) {
    throw new CertificateError(
      'CERT_INPUT_INVALID',
      'product must be 1-64 characters of A-Z a-z 0-9 . _ - starting alphanumeric',
    );
  }
  if (!DEVICE_IDENTIFIER_PATTERN.test(input.serial)) {
    throw new CertificateError(
      'CERT_INPUT_INVALID',
      'serial must be 1-64 characters of A-Z a-z 0-9 . _ - starting alphanumeric',
    );
  }
  if (input.chipUidHex !== undefined && !CHIP_UID_HEX_PATTERN.test(input.chipUidHex)) {
    throw new CertificateError('CERT_INPUT_INVALID', 'chipUidHex must be 1-32 bytes of hex');
  }
}

function devicePublicKeyBits(spkiDer: Uint8Array): Uint8Array {
  try {
    return p256PublicKeyBits(spkiDer);
  } catch (error) {
    if (error instanceof EncodingError)
      throw new CertificateError('CERT_INPUT_INVALID', 'device key is not a P-256 SPKI', { cause: error });
    throw error;
  }
}

/** The device subject; with a chip UID, a fourth RDN: chipUid (Oid.chipUidAttribute) = lowercase hex. */
export function deviceSubject(product: string, serial: string, chipUidHex?: string): DerNode {
  const attributes: { oid: string; tag: number; value: string }[] = [
    { oid: Oid.organizationalUnitName, tag: DerTag.utf8String, value: product },
    { oid: Oid.commonName, tag: DerTag.utf8String, value: serial },
    { oid: Oid.serialNumber, tag: DerTag.printableString, value: serial }, // X.520: PrintableString
  ];
  if (chipUidHex !== undefined) {
    attributes.push({
      oid: Oid.chipUidAttribute,
      tag: DerTag.printableString,
      value: chipUidAttributeValue(chipUidHex),
    });
  }
  return encodeName(attributes);
}

/**
 * Issues a device identity certificate under the device CA (profile: docs/certificates.md): v3,
 * ecdsa-with-SHA256, subject OU=product, CN=serial, serialNumber=serial; basicConstraints critical
 * CA:FALSE; keyUsage critical digitalSignature + keyAgreement; subjectKeyIdentifier;
 * authorityKeyIdentifier = the CA's key id; subjectAltName URI urn:ingrain:device:<product>:<serial>
 * and, with a chip UID (a chip-bound certificate), urn:ingrain:chip-uid:<hex>, the subject RDN
 * chipUid=<hex> and the non-critical chip UID extension (Oid.chipUidExtension). One CA signature, no parsing of the CA
 * certificate when given a prepared issuer. The signature is not re-verified here.
 * @throws CertificateError CERT_INPUT_INVALID for bad identifiers, key, validity or randomness;
 * CERT_ISSUER_INVALID if the CA certificate cannot issue or is not valid at notBefore; whatever
 * the CA signer throws.
 */
export async function issueDeviceCertificate(input: IssueDeviceCertificateInput): Promise<IssuedCertificate> {
  checkIdentity(input);
  const issuer =
    'issuer' in input ? input.issuer : cachedDeviceCertificateIssuer(input.caSigner, input.caCertificatePem);
  const { notBefore, notAfter } = validityWindow(input.notBefore, input.validityDays);
  if (notBefore < issuer.caNotBefore || notBefore > issuer.caNotAfter) {
    throw new CertificateError('CERT_ISSUER_INVALID', 'CA certificate is not valid at the device notBefore');
  }
  const keyBits = devicePublicKeyBits(input.devicePublicKeySpkiDer);
  const uris = [deviceUrn(input.product, input.serial)];
  if (input.chipUidHex !== undefined) uris.push(chipUidUrn(input.chipUidHex));
  const serialNumber = await randomSerialNumber(input.random);
  const tbs = encodeTbsCertificate({
    serialNumber,
    issuerNameDer: issuer.issuerNameDer,
    notBefore,
    notAfter,
    subjectNameDer: deviceSubject(input.product, input.serial, input.chipUidHex),
    spkiDer: input.devicePublicKeySpkiDer,
    extensions: [
      DEVICE_BASIC_CONSTRAINTS,
      DEVICE_KEY_USAGE,
      subjectKeyIdentifierExtension(keyIdentifier(keyBits)),
      issuer.authorityKeyIdentifierExtensionDer,
      subjectAltNameUrisExtension(uris),
      ...(input.chipUidHex === undefined ? [] : [chipUidExtension(input.chipUidHex)]),
    ],
  });
  return toIssuedCertificate(await signTbsCertificate(tbs, issuer.signer), serialNumber);
}
