import { CryptoError } from '../errors.js';

/** Stable codes of {@link EncodingError}. */
export type EncodingErrorCode =
  | 'ENCODING_HEX_INVALID'
  | 'ENCODING_BASE64_INVALID'
  | 'ENCODING_PEM_INVALID'
  | 'ENCODING_DER_INVALID'
  | 'ENCODING_SIGNATURE_INVALID'
  | 'ENCODING_JCS_UNSUPPORTED_VALUE';

/**
 * A byte or text encoding could not be decoded or produced. Messages name the position or the
 * kind of problem, never the decoded content (which may be secret).
 */
export class EncodingError extends CryptoError {
  declare readonly code: EncodingErrorCode;

  constructor(code: EncodingErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}
