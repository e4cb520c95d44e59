import { CryptoError } from '../errors.js';

/** Stable codes of {@link CertificateError}; docs/certificates.md says what each means and what to do. */
export type CertificateErrorCode =
  | 'CERT_INPUT_INVALID'
  | 'CERT_ISSUER_INVALID'
  | 'CERT_MALFORMED'
  | 'CERT_SIGNATURE_INVALID'
  | 'CERT_EXPIRED'
  | 'CERT_NOT_YET_VALID'
  | 'CERT_CA_FLAGS_INVALID'
  | 'CERT_KEY_USAGE_INVALID'
  | 'CERT_ISSUER_MISMATCH'
  | 'CERT_PROFILE_INVALID';

/** A certificate could not be made, parsed or verified. Messages never contain key material. */
export class CertificateError extends CryptoError {
  declare readonly code: CertificateErrorCode;

  constructor(code: CertificateErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}

/** The verification step that failed. */
export type CertificateCheck = 'parse' | 'signature' | 'validity' | 'ca-flags' | 'key-usage' | 'issuer' | 'profile';

/** A chain verification failed: `check` names the step and `certificate` which of the two. */
export class CertificateVerificationError extends CertificateError {
  constructor(
    code: CertificateErrorCode,
    readonly check: CertificateCheck,
    readonly certificate: 'device' | 'ca',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(code, `${certificate} certificate: ${message}`, options);
  }
}
