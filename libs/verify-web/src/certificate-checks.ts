// The device certificate against the trusted device CA (docs/certificates.md "Verification"):
// issuer, signature, validity, CA and device flags, and the device profile. The first failure
// throws a CertificateProblem with the code the docs give that step.
import { bytesEqual } from './bytes.js';
import { verifyDerSignature, importP256Spki } from './ecdsa.js';
import type { DerError } from './der.js';
import {
  basicConstraints,
  type Certificate,
  chipUidExtension,
  keyIdentifier,
  keyUsage,
  OID,
  subjectAltNameUris,
} from './x509.js';

export class CertificateProblem extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'CertificateProblem';
  }
}

const KNOWN_EXTENSIONS = new Set<string>([
  OID.basicConstraints,
  OID.keyUsage,
  OID.subjectAltName,
  OID.subjectKeyIdentifier,
  OID.authorityKeyIdentifier,
]);

function checkP256(certificate: Certificate, which: string): void {
  if (certificate.keyAlgorithm !== OID.ecPublicKey || certificate.keyCurve !== OID.prime256v1) {
    throw new CertificateProblem('CERT_PROFILE_INVALID', `the ${which} key is not EC P-256`);
  }
  if (certificate.publicKey.length !== 65 || certificate.publicKey[0] !== 0x04) {
    throw new CertificateProblem('CERT_PROFILE_INVALID', `the ${which} key is not an uncompressed P-256 point`);
  }
}

function checkCriticalExtensions(certificate: Certificate, which: string): void {
  const unknown = certificate.extensions.find(
    (extension) => extension.critical && !KNOWN_EXTENSIONS.has(extension.oid),
  );
  if (unknown !== undefined)
    throw new CertificateProblem(
      'CERT_PROFILE_INVALID',
      `the ${which} certificate has an unknown critical extension ${unknown.oid}`,
    );
}

/** The CA may be a device CA: v3, cA TRUE, keyCertSign if keyUsage is present, P-256. */
export function checkCa(ca: Certificate): void {
  if (ca.version !== 3) throw new CertificateProblem('CERT_PROFILE_INVALID', 'the CA certificate is not v3');
  if (basicConstraints(ca)?.ca !== true)
    throw new CertificateProblem('CERT_CA_FLAGS_INVALID', 'the CA certificate is not a CA (basicConstraints cA)');
  const usage = keyUsage(ca);
  if (usage !== undefined && !usage.has('keyCertSign'))
    throw new CertificateProblem('CERT_KEY_USAGE_INVALID', 'the CA certificate may not sign certificates');
  checkP256(ca, 'CA');
  checkCriticalExtensions(ca, 'CA');
}

export interface DeviceCertificateFacts {
  readonly product: string;
  readonly serial: string;
  /** From the chip UID extension when chip-bound, else from the chip-UID URI if any (lowercase hex). */
  readonly chipUidHex: string | undefined;
  /** The chip UID extension is present (and agrees with the subject attribute and the URI). */
  readonly chipBound: boolean;
  /** The certificate's public key: the uncompressed P-256 point (65 bytes). */
  readonly publicKey: Uint8Array;
}

const DEVICE_URN = /^urn:ingrain:device:([A-Za-z0-9][A-Za-z0-9._-]{0,63}):([A-Za-z0-9][A-Za-z0-9._-]{0,63})$/;
const CHIP_UID_URN = /^urn:ingrain:chip-uid:([0-9a-f]{2,64})$/;

function checkProfile(device: Certificate): DeviceCertificateFacts {
  if (device.version !== 3) throw new CertificateProblem('CERT_PROFILE_INVALID', 'the device certificate is not v3');
  checkCriticalExtensions(device, 'device');
  const uris = subjectAltNameUris(device);
  const devices = uris.map((uri) => DEVICE_URN.exec(uri)).filter((match) => match !== null);
  const chips = uris.map((uri) => CHIP_UID_URN.exec(uri)).filter((match) => match !== null);
  if (devices.length !== 1)
    throw new CertificateProblem(
      'CERT_PROFILE_INVALID',
      `the device certificate has ${devices.length} device URNs, not one`,
    );
  if (chips.length > 1)
    throw new CertificateProblem('CERT_PROFILE_INVALID', 'the device certificate has more than one chip-UID URN');
  const [, product = '', serial = ''] = devices[0]!;
  const cn = device.subject.get(OID.commonName);
  const ou = device.subject.get(OID.organizationalUnit);
  if (cn?.length !== 1 || cn[0] !== serial || ou?.length !== 1 || ou[0] !== product) {
    throw new CertificateProblem('CERT_PROFILE_INVALID', 'the subject (CN, OU) does not match the device URN');
  }
  checkP256(device, 'device');
  return { product, serial, ...chipBinding(device, chips[0]?.[1]), publicKey: device.publicKey };
}

/**
 * The chip UID the certificate states (docs/certificates.md "Chip binding", "Checks"): the
 * extension (authoritative), the subject attribute and the chip-UID URI must agree; a subject
 * attribute without the extension is refused; no extension at all is a certificate issued before
 * chip binding (not chip-bound, the URI's UID if any).
 */
function chipBinding(
  device: Certificate,
  uriUid: string | undefined,
): { chipUidHex: string | undefined; chipBound: boolean } {
  let extensionUid: string | undefined;
  try {
    extensionUid = chipUidExtension(device);
  } catch (error) {
    throw new CertificateProblem(
      'CERT_MALFORMED',
      `the chip UID extension is malformed: ${(error as DerError).message}`,
    );
  }
  const subjectUids = device.subject.get(OID.chipUidAttribute) ?? [];
  if (subjectUids.length > 1)
    throw new CertificateProblem('CERT_PROFILE_INVALID', 'the subject has more than one chip UID attribute');
  if (extensionUid === undefined) {
    if (subjectUids.length > 0)
      throw new CertificateProblem(
        'CERT_PROFILE_INVALID',
        'the subject names a chip UID but the chip UID extension is missing',
      );
    return { chipUidHex: uriUid, chipBound: false };
  }
  if (subjectUids[0] !== extensionUid)
    throw new CertificateProblem(
      'CERT_PROFILE_INVALID',
      'the chip UID extension and the subject chip UID attribute differ',
    );
  if (uriUid !== undefined && uriUid !== extensionUid)
    throw new CertificateProblem('CERT_PROFILE_INVALID', 'the chip UID extension and the chip-UID URI differ');
  return { chipUidHex: extensionUid, chipBound: true };
}

/**
 * The device certificate was issued by `ca`, is valid at `at` (as is the CA) and is of the device
 * profile. @returns what the certificate says about the device. @throws CertificateProblem.
 */
export async function verifyDeviceCertificate(
  device: Certificate,
  ca: Certificate,
  at: Date,
): Promise<DeviceCertificateFacts> {
  checkCa(ca);
  if (!bytesEqual(device.issuerDer, ca.subjectDer))
    throw new CertificateProblem('CERT_ISSUER_MISMATCH', "the device certificate's issuer is not the CA's subject");
  const authority = keyIdentifier(device, 'authority');
  const caKeyId = keyIdentifier(ca, 'subject');
  if (authority !== undefined && caKeyId !== undefined && !bytesEqual(authority, caKeyId)) {
    throw new CertificateProblem('CERT_ISSUER_MISMATCH', 'the authorityKeyIdentifier names another CA key');
  }
  if (device.signatureAlgorithm !== OID.ecdsaWithSha256 || device.tbsSignatureAlgorithm !== OID.ecdsaWithSha256) {
    throw new CertificateProblem('CERT_SIGNATURE_INVALID', 'the certificate is not signed with ecdsa-with-SHA256');
  }
  const caKey = await importP256Spki(ca.spkiDer);
  if (!(await verifyDerSignature(caKey, device.signature, device.tbs))) {
    throw new CertificateProblem(
      'CERT_SIGNATURE_INVALID',
      "the device certificate's signature does not verify with the CA key",
    );
  }
  for (const [which, certificate] of [
    ['CA', ca],
    ['device', device],
  ] as const) {
    if (at < certificate.notBefore)
      throw new CertificateProblem(
        'CERT_NOT_YET_VALID',
        `the ${which} certificate is not valid before ${certificate.notBefore.toISOString()}`,
      );
    if (at > certificate.notAfter)
      throw new CertificateProblem(
        'CERT_EXPIRED',
        `the ${which} certificate expired at ${certificate.notAfter.toISOString()}`,
      );
  }
  if (basicConstraints(device)?.ca !== false)
    throw new CertificateProblem('CERT_CA_FLAGS_INVALID', 'the device certificate lacks basicConstraints cA FALSE');
  const usage = keyUsage(device);
  if (usage === undefined || !usage.has('digitalSignature') || usage.has('keyCertSign') || usage.has('cRLSign')) {
    throw new CertificateProblem(
      'CERT_KEY_USAGE_INVALID',
      'the device keyUsage must allow digitalSignature and not certificate or CRL signing',
    );
  }
  return checkProfile(device);
}
