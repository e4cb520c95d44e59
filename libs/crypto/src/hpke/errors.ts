import { CryptoError } from '../errors.js';

/** Stable codes of {@link HpkeError}; docs/sealing.md says what each means. */
export type HpkeErrorCode =
  | 'HPKE_INVALID_ARGUMENT'
  | 'HPKE_UNSUPPORTED_SUITE'
  | 'HPKE_INVALID_PUBLIC_KEY'
  | 'HPKE_INVALID_PRIVATE_KEY'
  | 'HPKE_DERIVE_KEY_PAIR_FAILED'
  | 'HPKE_DECAP_FAILED'
  | 'HPKE_OPEN_FAILED';

/**
 * A failure of the RFC 9180 HPKE layer. Messages name lengths, suite ids and which input was
 * wrong; they never contain key material, shared secrets, plaintext or ciphertext bytes.
 */
export class HpkeError extends CryptoError {
  declare readonly code: HpkeErrorCode;

  constructor(code: HpkeErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}

/** Stable codes of {@link StationSealError}; docs/sealing.md says what each means. */
export type StationSealErrorCode =
  'SEAL_BINDING_INVALID' | 'SEAL_ENVELOPE_INVALID' | 'SEAL_OPEN_FAILED' | 'SEAL_PLAINTEXT_TOO_LARGE';

/**
 * A failure of the station sealing envelope (docs/sealing.md). `SEAL_OPEN_FAILED` covers every
 * reason an envelope does not open: another station's key, a binding member that differs from
 * the one it was sealed for, or any altered byte. The cryptography cannot tell these apart, and
 * the message says so instead of guessing.
 */
export class StationSealError extends CryptoError {
  declare readonly code: StationSealErrorCode;

  constructor(code: StationSealErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}
