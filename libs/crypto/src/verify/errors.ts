import { CryptoError } from '../errors.js';

/** Stable codes of {@link VerifierError}; docs/verifier.md says what each means and what to do. */
export type VerifierErrorCode =
  | 'VERIFY_BUNDLE_MALFORMED'
  | 'VERIFY_BUNDLE_UNSUPPORTED_FORMAT'
  | 'VERIFY_CONSISTENCY_MALFORMED'
  | 'VERIFY_DEVICE_READ_MALFORMED'
  | 'VERIFY_TRUST_INVALID'
  | 'VERIFY_TRUST_ROOT_INVALID'
  | 'VERIFY_CONSISTENCY_MISMATCH'
  | 'VERIFY_CA_MISMATCH'
  | 'VERIFY_CERTIFICATE_MISMATCH'
  | 'VERIFY_DEVICE_READ_MISMATCH'
  | 'VERIFY_CHIP_BINDING_MISMATCH'
  | 'VERIFY_NOT_CHECKED';

/**
 * A verifier input could not be used, or a cross-check between verified parts failed. Messages name
 * fields and fingerprints, never key material or secret values.
 */
export class VerifierError extends CryptoError {
  declare readonly code: VerifierErrorCode;

  constructor(code: VerifierErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}
