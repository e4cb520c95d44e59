import { decodePem, encodeDer, sha256Hex } from '../encoding/index.js';
import { type Signer } from '../signer.js';
import { type ParsedCertificate, parseCertificate } from './certificate-parser.js';
import { CertificateError } from './errors.js';
import {
  authorityKeyIdentifierExtension,
  decodeBasicConstraints,
  decodeKeyUsage,
  decodeSubjectKeyIdentifier,
} from './extensions.js';
import { Oid } from './oids.js';

/**
 * A device CA ready to issue: its certificate parsed and checked once, so issuing a device
 * certificate re-parses nothing. Make one per process with {@link prepareDeviceCertificateIssuer}.
 */
export interface DeviceCertificateIssuer {
  readonly signer: Signer;
  readonly caCertificatePem: string;
  readonly caFingerprintSha256: string;
  /** The CA subject, copied verbatim as the device certificates' issuer (RFC 5280 §4.1.2.4). */
  readonly issuerNameDer: Uint8Array;
  /** authorityKeyIdentifier extension carrying the CA's subjectKeyIdentifier. */
  readonly authorityKeyIdentifierExtensionDer: Uint8Array;
  readonly caNotBefore: Date;
  readonly caNotAfter: Date;
}

const invalidIssuer = (message: string, cause?: unknown): CertificateError =>
  new CertificateError('CERT_ISSUER_INVALID', `CA certificate cannot issue: ${message}`, { cause });

function parseCaCertificate(pem: string): ParsedCertificate {
  try {
    return parseCertificate(decodePem(pem, 'CERTIFICATE'));
  } catch (error) {
    throw invalidIssuer('not a parseable PEM certificate', error);
  }
}

function checkCaCertificate(ca: ParsedCertificate): Uint8Array {
  const basic = ca.extensions.get(Oid.basicConstraints);
  if (basic === undefined || !decodeBasicConstraints(basic.valueDer).ca)
    throw invalidIssuer('basicConstraints cA is not TRUE');
  const usage = ca.extensions.get(Oid.keyUsage);
  if (usage !== undefined && !decodeKeyUsage(usage.valueDer).has('keyCertSign'))
    throw invalidIssuer('keyUsage lacks keyCertSign');
  const ski = ca.extensions.get(Oid.subjectKeyIdentifier);
  if (ski === undefined) throw invalidIssuer('no subjectKeyIdentifier to reference from authorityKeyIdentifier');
  return decodeSubjectKeyIdentifier(ski.valueDer);
}

/**
 * Parses and checks the CA certificate once: v3, basicConstraints cA TRUE, keyUsage (if present)
 * with keyCertSign, a subjectKeyIdentifier, and a public key byte-identical to `caSigner`'s SPKI.
 * @throws CertificateError CERT_ISSUER_INVALID naming the failed check.
 */
export function prepareDeviceCertificateIssuer(caSigner: Signer, caCertificatePem: string): DeviceCertificateIssuer {
  const ca = parseCaCertificate(caCertificatePem);
  if (ca.version !== 3) throw invalidIssuer(`version ${ca.version}, expected 3`);
  let keyId: Uint8Array;
  try {
    keyId = checkCaCertificate(ca);
  } catch (error) {
    if (error instanceof CertificateError) throw error;
    throw invalidIssuer('malformed extension', error);
  }
  if (Buffer.compare(ca.spkiDer, caSigner.publicKeySpkiDer) !== 0) {
    throw invalidIssuer(`its public key is not the key of signer ${caSigner.label}`);
  }
  return {
    signer: caSigner,
    caCertificatePem,
    caFingerprintSha256: sha256Hex(ca.der),
    issuerNameDer: ca.subjectDer,
    authorityKeyIdentifierExtensionDer: encodeDer(authorityKeyIdentifierExtension(keyId)),
    caNotBefore: ca.notBefore,
    caNotAfter: ca.notAfter,
  };
}

const preparedBySigner = new WeakMap<Signer, DeviceCertificateIssuer>();

/** The prepared issuer for this signer and PEM, from a per-signer cache (one entry per signer). */
export function cachedDeviceCertificateIssuer(caSigner: Signer, caCertificatePem: string): DeviceCertificateIssuer {
  const cached = preparedBySigner.get(caSigner);
  if (cached?.caCertificatePem === caCertificatePem) return cached;
  const issuer = prepareDeviceCertificateIssuer(caSigner, caCertificatePem);
  preparedBySigner.set(caSigner, issuer);
  return issuer;
}
