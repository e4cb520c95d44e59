/** Stable codes of {@link TrustError}: the API's service keys, CA certificate and log appends. */
export type TrustErrorCode =
  /** A service key of the inventory is not on the token: the ceremony was not run on it. */
  | 'TRUST_KEY_MISSING'
  /** A service key exists but is not what the inventory requires (duplicates, wrong type, weak attributes). */
  | 'TRUST_KEY_INVALID'
  /** INGRAIN_PUBLIC_KEYS_DIR/ca.pem cannot be read. */
  | 'TRUST_CA_CERTIFICATE_MISSING'
  /** ca.pem is not a CA certificate of the HSM's device CA key. */
  | 'TRUST_CA_CERTIFICATE_MISMATCH'
  /** The CA certificate's validity has ended: it can no longer issue device certificates. */
  | 'TRUST_CA_CERTIFICATE_EXPIRED'
  /** An attestation handed to the log is not the normal-form text its leaf is computed from. */
  | 'TRUST_ENVELOPE_NOT_NORMAL'
  /** An attestation's device record lacks what its bundle needs (the device certificate). */
  | 'TRUST_BUNDLE_INCOMPLETE';

/**
 * The API cannot use its trust material (HSM service keys, device CA certificate), or a caller broke
 * the log's input contract. Raised at start-up (the process must not serve), by the readiness
 * check, or by LogService and LogReader. Messages name labels, files and variables, never key material.
 */
export class TrustError extends Error {
  constructor(
    readonly code: TrustErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}
