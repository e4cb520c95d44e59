import { CryptoError } from '../errors.js';

/** Stable codes of {@link AttestationError}; docs/attestation.md says what each means and what to do. */
export type AttestationErrorCode =
  | 'ATTESTATION_INPUT_INVALID'
  | 'ATTESTATION_SECRET_BYTES_PRESENT'
  | 'ATTESTATION_MALFORMED'
  | 'ATTESTATION_UNSUPPORTED_VERSION'
  | 'ATTESTATION_SIGNATURE_INVALID'
  | 'ATTESTATION_SIGNING_FAILED';

/** One validation problem: where (a JSON path such as `otp.secretFields[0].offsetBytes`) and why. */
export interface AttestationIssue {
  readonly path: string;
  readonly message: string;
}

/**
 * An attestation could not be built, signed, parsed or verified. Messages and issues name fields
 * and reasons, never OTP bytes, secrets or salts.
 */
export class AttestationError extends CryptoError {
  declare readonly code: AttestationErrorCode;
  readonly issues: readonly AttestationIssue[];

  constructor(
    code: AttestationErrorCode,
    message: string,
    options?: { cause?: unknown; issues?: readonly AttestationIssue[] },
  ) {
    super(code, message, options);
    this.issues = options?.issues ?? [];
  }
}
