import { verify } from 'node:crypto';
import { bytesToHex, EncodingError } from '#ingrain/encoding';
import { derToP1363, sha256Hex } from '../encoding/index.js';
import { type ParsedCertificate } from './certificate-parser.js';
import { decodeChipUidExtension } from './chip-uid.js';
import { parseChipUidUrn, parseDeviceUrn } from './device-urn.js';
import { type CertificateVerificationError } from './errors.js';
import {
  decodeAuthorityKeyIdentifier,
  decodeBasicConstraints,
  decodeKeyUsage,
  decodeSubjectAltNameUris,
} from './extensions.js';
import { nameAttribute } from './names.js';
import { Oid } from './oids.js';
import { p256PublicKeyBits } from './spki.js';
import {
  cachedTrustedDeviceCa,
  parsePemCertificate,
  type TrustedDeviceCa,
  UNDERSTOOD_EXTENSIONS,
  verificationError,
} from './trusted-ca.js';

/** What a verified device certificate says. */
export interface DeviceCertificateFacts {
  readonly product: string;
  readonly serial: string;
  /** Lowercase hex, or undefined when the certificate carries no chip UID. */
  readonly chipUidHex: string | undefined;
  /**
   * True when the certificate is chip-bound (docs/certificates.md, "Chip binding"): the chip UID
   * extension is present and agrees with the subject's chipUid attribute (and the chip-UID URI,
   * when present). False for certificates issued before the chip was known.
   */
  readonly chipBound: boolean;
  readonly publicKeySpkiDer: Uint8Array;
  /** Lowercase hex SHA-256 of the device certificate DER. */
  readonly fingerprintSha256: string;
  readonly serialNumberHex: string;
  readonly notBefore: Date;
  readonly notAfter: Date;
  readonly caFingerprintSha256: string;
}

/** The device certificate's extensions, decoded once. */
interface DeviceExtensions {
  readonly authorityKeyId: Uint8Array | undefined;
  readonly basicConstraints: { ca: boolean } | undefined;
  readonly keyUsage: ReadonlySet<string>;
  readonly uris: readonly string[];
  /** The chip UID extension's UID (lowercase hex), if present. */
  readonly chipUidHex: string | undefined;
}

function decodeDeviceExtensions(device: ParsedCertificate): DeviceExtensions {
  const { extensions } = device;
  try {
    const aki = extensions.get(Oid.authorityKeyIdentifier);
    const basic = extensions.get(Oid.basicConstraints);
    const usage = extensions.get(Oid.keyUsage);
    const san = extensions.get(Oid.subjectAltName);
    const chipUid = extensions.get(Oid.chipUidExtension);
    return {
      authorityKeyId: aki === undefined ? undefined : decodeAuthorityKeyIdentifier(aki.valueDer),
      basicConstraints: basic === undefined ? undefined : decodeBasicConstraints(basic.valueDer),
      keyUsage: usage === undefined ? new Set() : decodeKeyUsage(usage.valueDer),
      uris: san === undefined ? [] : decodeSubjectAltNameUris(san.valueDer),
      chipUidHex: chipUid === undefined ? undefined : decodeChipUidExtension(chipUid.valueDer),
    };
  } catch (error) {
    if (!(error instanceof EncodingError)) throw error;
    throw verificationError('CERT_MALFORMED', 'parse', 'device', 'malformed extension', error);
  }
}

function checkIssuer(device: ParsedCertificate, extensions: DeviceExtensions, ca: TrustedDeviceCa): void {
  if (Buffer.compare(device.issuerDer, ca.certificate.subjectDer) !== 0) {
    throw verificationError('CERT_ISSUER_MISMATCH', 'issuer', 'device', 'issuer name is not the CA subject');
  }
  const keyId = extensions.authorityKeyId;
  if (keyId !== undefined && ca.keyIdentifier !== undefined && Buffer.compare(keyId, ca.keyIdentifier) !== 0) {
    throw verificationError('CERT_ISSUER_MISMATCH', 'issuer', 'device', 'authorityKeyIdentifier is not the CA key id');
  }
}

function checkSignature(device: ParsedCertificate, ca: TrustedDeviceCa): void {
  if (device.signatureAlgorithmOid !== Oid.ecdsaWithSha256) {
    throw verificationError(
      'CERT_SIGNATURE_INVALID',
      'signature',
      'device',
      `unsupported signature algorithm ${device.signatureAlgorithmOid}`,
    );
  }
  let signature: Uint8Array;
  try {
    signature = derToP1363(device.signatureValue);
  } catch (error) {
    throw verificationError('CERT_SIGNATURE_INVALID', 'signature', 'device', 'malformed ECDSA signature', error);
  }
  if (!verify('sha256', device.tbsDer, { key: ca.publicKey, dsaEncoding: 'ieee-p1363' }, signature)) {
    throw verificationError(
      'CERT_SIGNATURE_INVALID',
      'signature',
      'device',
      'signature does not verify with the CA key',
    );
  }
}

function checkValidity(certificate: ParsedCertificate, which: 'device' | 'ca', at: Date): void {
  if (at < certificate.notBefore)
    throw verificationError(
      'CERT_NOT_YET_VALID',
      'validity',
      which,
      `not valid before ${certificate.notBefore.toISOString()}`,
    );
  if (at > certificate.notAfter)
    throw verificationError('CERT_EXPIRED', 'validity', which, `expired at ${certificate.notAfter.toISOString()}`);
}

function checkDeviceFlags(extensions: DeviceExtensions): void {
  if (extensions.basicConstraints === undefined || extensions.basicConstraints.ca) {
    throw verificationError(
      'CERT_CA_FLAGS_INVALID',
      'ca-flags',
      'device',
      'basicConstraints must be present with cA FALSE',
    );
  }
  const usages = extensions.keyUsage;
  if (!usages.has('digitalSignature') || usages.has('keyCertSign') || usages.has('cRLSign')) {
    throw verificationError(
      'CERT_KEY_USAGE_INVALID',
      'key-usage',
      'device',
      'keyUsage must include digitalSignature and exclude keyCertSign and cRLSign',
    );
  }
}

type DeviceIdentity = { product: string; serial: string; chipUidHex: string | undefined; chipBound: boolean };

/** The chip UID the certificate states: extension, subject attribute and URI must agree. */
function chipBinding(
  device: ParsedCertificate,
  extensions: DeviceExtensions,
  uriUid: string | undefined,
  profileError: (message: string) => CertificateVerificationError,
): Pick<DeviceIdentity, 'chipUidHex' | 'chipBound'> {
  const subjectUids = device.subject.filter((a) => a.oid === Oid.chipUidAttribute);
  if (subjectUids.length > 1) throw profileError('subject has more than one chipUid attribute');
  const subjectUid = subjectUids[0]?.value;
  const extensionUid = extensions.chipUidHex;
  if (extensionUid === undefined) {
    if (subjectUids.length > 0) throw profileError('subject names a chip UID but the chip UID extension is missing');
    return { chipUidHex: uriUid, chipBound: false };
  }
  if (subjectUid !== extensionUid) throw profileError('chip UID extension and subject chipUid attribute differ');
  if (uriUid !== undefined && uriUid !== extensionUid) {
    throw profileError('chip UID extension and urn:ingrain:chip-uid URI differ');
  }
  return { chipUidHex: extensionUid, chipBound: true };
}

function deviceIdentity(device: ParsedCertificate, extensions: DeviceExtensions): DeviceIdentity {
  const profileError = (message: string, cause?: unknown): CertificateVerificationError =>
    verificationError('CERT_PROFILE_INVALID', 'profile', 'device', message, cause);
  if (device.version !== 3) throw profileError('not an X.509 v3 certificate');
  for (const [oid, extension] of device.extensions) {
    if (extension.critical && !UNDERSTOOD_EXTENSIONS.has(oid))
      throw profileError(`unsupported critical extension ${oid}`);
  }
  const identities = extensions.uris.map(parseDeviceUrn).filter((id) => id !== undefined);
  const uids = extensions.uris.map(parseChipUidUrn).filter((uid) => uid !== undefined);
  const [identity] = identities;
  if (identity === undefined || identities.length > 1) throw profileError('needs exactly one urn:ingrain:device URI');
  if (uids.length > 1) throw profileError('has more than one chip UID URI');
  if (nameAttribute(device.subject, Oid.commonName) !== identity.serial)
    throw profileError('subject CN is not the serial');
  if (nameAttribute(device.subject, Oid.organizationalUnitName) !== identity.product)
    throw profileError('subject OU is not the product');
  try {
    p256PublicKeyBits(device.spkiDer);
  } catch (error) {
    throw profileError('public key is not an uncompressed P-256 key', error);
  }
  return { ...identity, ...chipBinding(device, extensions, uids[0], profileError) };
}

/**
 * Verifies a device certificate against the device CA at time `at` (default now), in this order:
 * parse (including the extensions it reads), issuer (name and key id), signature (ecdsa-with-SHA256 by the CA key), validity of both
 * certificates, CA flags (device basicConstraints cA FALSE), key usage (digitalSignature, no
 * certificate/CRL signing), profile (v3, no unknown critical extension, exactly one device URN whose
 * product/serial match subject OU/CN, at most one chip-UID URN, P-256 key). Pass a
 * {@link TrustedDeviceCa} (prepareTrustedDeviceCa) to skip re-parsing the CA; a PEM string is
 * prepared through a small cache.
 * @throws CertificateVerificationError whose `check` and `code` name the first failed check and
 * whose `certificate` says which certificate failed.
 */
export function verifyDeviceCertificateChain(
  deviceCertificatePem: string,
  ca: string | TrustedDeviceCa,
  options: { at?: Date } = {},
): DeviceCertificateFacts {
  const trusted = typeof ca === 'string' ? cachedTrustedDeviceCa(ca) : ca;
  const device = parsePemCertificate(deviceCertificatePem, 'device');
  const extensions = decodeDeviceExtensions(device);
  const at = options.at ?? new Date();
  checkIssuer(device, extensions, trusted);
  checkSignature(device, trusted);
  checkValidity(trusted.certificate, 'ca', at);
  checkValidity(device, 'device', at);
  checkDeviceFlags(extensions);
  const identity = deviceIdentity(device, extensions);
  return {
    ...identity,
    publicKeySpkiDer: device.spkiDer,
    fingerprintSha256: sha256Hex(device.der),
    serialNumberHex: bytesToHex(device.serialNumber),
    notBefore: device.notBefore,
    notAfter: device.notAfter,
    caFingerprintSha256: trusted.fingerprintSha256,
  };
}
