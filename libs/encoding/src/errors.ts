/** Stable codes of {@link EncodingError} (docs/errors.md). */
export type EncodingErrorCode =
  | 'ENCODING_HEX_INVALID'
  | 'ENCODING_BASE64_INVALID'
  | 'ENCODING_JCS_UNSUPPORTED_VALUE'
  // Thrown by libs/crypto's PEM, DER and ECDSA-signature codecs, which share this class.
  | 'ENCODING_PEM_INVALID'
  | 'ENCODING_DER_INVALID'
  | 'ENCODING_SIGNATURE_INVALID';

/**
 * A byte or text encoding could not be decoded or produced. Messages name the position or the
 * kind of problem, never the decoded content (which may be secret).
 */
export class EncodingError extends Error {
  constructor(
    readonly code: EncodingErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}
