/**
 * An ECDSA P-256 signing key whose private half never leaves its holder (an HSM over PKCS#11 in
 * production, a node:crypto key in pure-logic unit tests).
 */
export interface Signer {
  /** The key's PKCS#11 label (for logs and key inventory; never secret). */
  readonly label: string;
  /** DER SubjectPublicKeyInfo of the public key. */
  readonly publicKeySpkiDer: Uint8Array;
  /**
   * Signs SHA-256(message) with ECDSA P-256 and returns the signature as IEEE P1363 r‖s (64 bytes),
   * the form JWS/COSE/DSSE use. Callers that need DER convert it.
   */
  sign(message: Uint8Array): Promise<Uint8Array>;
}
