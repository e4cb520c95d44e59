import { CryptoError } from '../errors.js';

/** Stable codes of {@link TransparencyLogError}; documented in docs/transparency-log.md. */
export type TransparencyLogErrorCode =
  | 'LOG_INCLUSION_PROOF_INVALID'
  | 'LOG_CONSISTENCY_PROOF_INVALID'
  | 'LOG_CHECKPOINT_MALFORMED'
  | 'LOG_CHECKPOINT_ORIGIN_MISMATCH'
  | 'LOG_CHECKPOINT_SIGNATURE_INVALID'
  | 'LOG_CHECKPOINT_UNSIGNED'
  | 'LOG_KEY_INVALID'
  | 'LOG_INDEX_OUT_OF_RANGE'
  | 'LOG_APPEND_CONFLICT'
  | 'LOG_NODE_MISSING'
  | 'LOG_STATE_INCONSISTENT'
  | 'LOG_TILE_INVALID';

/**
 * Every failure of the transparency log and of its offline verification functions. Messages name
 * sizes, indices and key IDs only; they never contain key material.
 */
export class TransparencyLogError extends CryptoError {
  declare readonly code: TransparencyLogErrorCode;

  constructor(code: TransparencyLogErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}
