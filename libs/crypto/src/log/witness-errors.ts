import { CryptoError } from '../errors.js';

/** Stable codes of {@link WitnessError}; documented in docs/witness.md. */
export type WitnessErrorCode =
  /** A verifier key string is not `<name>+<8 hex key ID>+<base64(type ‖ key)>` with a matching ID. */
  | 'WITNESS_VKEY_INVALID'
  /** A cosignature line is not a key ID, a 64-bit timestamp and a 64-byte Ed25519 signature. */
  | 'WITNESS_COSIGNATURE_MALFORMED'
  /** A cosignature by a configured key does not verify over this checkpoint and its timestamp. */
  | 'WITNESS_COSIGNATURE_INVALID'
  /** An add-checkpoint request body is not `old <size>`, proof lines, a blank line and a note. */
  | 'WITNESS_REQUEST_MALFORMED'
  /** A witness policy (k of n) is not satisfiable or not well formed. */
  | 'WITNESS_POLICY_INVALID'
  /** Fewer than k configured witnesses validly cosigned the checkpoint. */
  | 'WITNESS_POLICY_UNMET';

/** Failures of vkeys, cosignatures and witness policies. Messages name keys, never key material. */
export class WitnessError extends CryptoError {
  declare readonly code: WitnessErrorCode;

  constructor(code: WitnessErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}
