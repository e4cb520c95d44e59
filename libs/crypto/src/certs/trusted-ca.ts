import { createPublicKey, type KeyObject } from 'node:crypto';
import { decodePem, sha256Hex } from '../encoding/index.js';
import { type ParsedCertificate, parseCertificate } from './certificate-parser.js';
import { type CertificateCheck, type CertificateErrorCode, CertificateVerificationError } from './errors.js';
import { decodeBasicConstraints, decodeKeyUsage, decodeSubjectKeyIdentifier } from './extensions.js';
import { Oid } from './oids.js';
import { p256PublicKeyBits } from './spki.js';

/** Extensions this library understands; any other extension marked critical fails verification (RFC 5280 §4.2). */
export const UNDERSTOOD_EXTENSIONS: ReadonlySet<string> = new Set([
  Oid.basicConstraints,
  Oid.keyUsage,
  Oid.subjectKeyIdentifier,
  Oid.authorityKeyIdentifier,
  Oid.subjectAltName,
]);

/** A device CA certificate parsed and checked once, reusable for any number of verifications. */
export interface TrustedDeviceCa {
  readonly pem: string;
  readonly certificate: ParsedCertificate;
  readonly publicKey: KeyObject;
  readonly fingerprintSha256: string;
  /** The CA's subjectKeyIdentifier, if it has one. */
  readonly keyIdentifier: Uint8Array | undefined;
}

export function verificationError(
  code: CertificateErrorCode,
  check: CertificateCheck,
  certificate: 'device' | 'ca',
  message: string,
  cause?: unknown,
): CertificateVerificationError {
  return new CertificateVerificationError(code, check, certificate, message, { cause });
}

/** Parses a PEM certificate or throws CERT_MALFORMED for `which`. */
export function parsePemCertificate(pem: string, which: 'device' | 'ca'): ParsedCertificate {
  try {
    return parseCertificate(decodePem(pem, 'CERTIFICATE'));
  } catch (error) {
    throw verificationError('CERT_MALFORMED', 'parse', which, 'not a well-formed PEM X.509 certificate', error);
  }
}

function checkCaExtensions(ca: ParsedCertificate): Uint8Array | undefined {
  for (const [oid, extension] of ca.extensions) {
    if (extension.critical && !UNDERSTOOD_EXTENSIONS.has(oid)) {
      throw verificationError('CERT_PROFILE_INVALID', 'profile', 'ca', `unsupported critical extension ${oid}`);
    }
  }
  const basic = ca.extensions.get(Oid.basicConstraints);
  if (basic === undefined || !decodeBasicConstraints(basic.valueDer).ca) {
    throw verificationError('CERT_CA_FLAGS_INVALID', 'ca-flags', 'ca', 'basicConstraints cA is not TRUE');
  }
  const usage = ca.extensions.get(Oid.keyUsage);
  if (usage !== undefined && !decodeKeyUsage(usage.valueDer).has('keyCertSign')) {
    throw verificationError('CERT_KEY_USAGE_INVALID', 'key-usage', 'ca', 'keyUsage lacks keyCertSign');
  }
  const ski = ca.extensions.get(Oid.subjectKeyIdentifier);
  return ski === undefined ? undefined : decodeSubjectKeyIdentifier(ski.valueDer);
}

/**
 * Parses and checks a device CA certificate once (time-independent checks: v3, no unknown critical
 * extension, basicConstraints cA TRUE, keyUsage with keyCertSign if present, P-256 key). Its
 * self-signature is not checked: the CA certificate is the trust anchor, given out of band.
 * @throws CertificateVerificationError (certificate 'ca') CERT_MALFORMED, CERT_PROFILE_INVALID,
 * CERT_CA_FLAGS_INVALID or CERT_KEY_USAGE_INVALID.
 */
export function prepareTrustedDeviceCa(caCertificatePem: string): TrustedDeviceCa {
  const certificate = parsePemCertificate(caCertificatePem, 'ca');
  if (certificate.version !== 3)
    throw verificationError('CERT_PROFILE_INVALID', 'profile', 'ca', 'not an X.509 v3 certificate');
  let keyIdentifier: Uint8Array | undefined;
  try {
    keyIdentifier = checkCaExtensions(certificate);
    p256PublicKeyBits(certificate.spkiDer);
  } catch (error) {
    if (error instanceof CertificateVerificationError) throw error;
    throw verificationError('CERT_PROFILE_INVALID', 'profile', 'ca', 'malformed extension or non-P-256 key', error);
  }
  return {
    pem: caCertificatePem,
    certificate,
    publicKey: createPublicKey({ key: Buffer.from(certificate.spkiDer), format: 'der', type: 'spki' }),
    fingerprintSha256: sha256Hex(certificate.der),
    keyIdentifier,
  };
}

const MAX_CACHED_CAS = 16;
const trustedByPem = new Map<string, TrustedDeviceCa>();

/** {@link prepareTrustedDeviceCa} through a small cache keyed by the PEM text. */
export function cachedTrustedDeviceCa(caCertificatePem: string): TrustedDeviceCa {
  const cached = trustedByPem.get(caCertificatePem);
  if (cached !== undefined) return cached;
  const trusted = prepareTrustedDeviceCa(caCertificatePem);
  if (trustedByPem.size >= MAX_CACHED_CAS) trustedByPem.delete(trustedByPem.keys().next().value!);
  trustedByPem.set(caCertificatePem, trusted);
  return trusted;
}
