import { X509Certificate, createHash } from 'node:crypto';
import { createCaCertificate, type Signer } from '#ingrain/crypto';
import { AdminError } from '../errors.js';
import { readIfPresent, writeOnce } from './output-files.js';

/** How the device CA certificate is made when the ceremony has none yet. */
export interface CaCertificateOptions {
  readonly subjectCommonName: string;
  readonly organization?: string;
  readonly validityDays: number;
}

/** The CA certificate the ceremony leaves in its output directory. */
export interface CaCertificateOutcome {
  readonly file: string;
  readonly created: boolean;
  /** Lowercase hex SHA-256 of the certificate's DER. */
  readonly fingerprintSha256: string;
  readonly subject: string;
  readonly notAfter: string;
}

/**
 * Keeps an existing `ca.pem` when it is a self-signed certificate of the CA key, or self-signs a
 * new one with the HSM's CA key when there is none. Never replaces a certificate.
 *
 * @throws AdminError `ADMIN_OUTPUT_CONFLICT` when the existing file is not a certificate of this
 *   CA key (or not self-signed by it).
 */
export async function ensureCaCertificate(
  file: string,
  caSigner: Signer,
  options: CaCertificateOptions,
): Promise<CaCertificateOutcome> {
  const existing = await readIfPresent(file);
  if (existing !== undefined) return { file, created: false, ...checkExisting(file, existing, caSigner) };
  const issued = await createCaCertificate({
    signer: caSigner,
    subjectCommonName: options.subjectCommonName,
    ...(options.organization === undefined ? {} : { organization: options.organization }),
    validityDays: options.validityDays,
  });
  await writeOnce(file, issued.pem);
  return { file, created: true, ...checkExisting(file, issued.pem, caSigner) };
}

function checkExisting(file: string, pem: string, caSigner: Signer) {
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(pem);
  } catch (error) {
    throw new AdminError('ADMIN_OUTPUT_CONFLICT', `${file} is not a PEM certificate`, { cause: error });
  }
  const spki = certificate.publicKey.export({ type: 'spki', format: 'der' });
  if (!spki.equals(caSigner.publicKeySpkiDer) || !certificate.verify(certificate.publicKey)) {
    throw new AdminError(
      'ADMIN_OUTPUT_CONFLICT',
      `${file} is not a self-signed certificate of '${caSigner.label}' on this token (move it aside)`,
    );
  }
  return {
    fingerprintSha256: createHash('sha256').update(certificate.raw).digest('hex'),
    subject: certificate.subject.replace(/\n/g, ', '),
    notAfter: new Date(certificate.validTo).toISOString(),
  };
}
