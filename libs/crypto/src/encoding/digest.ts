import { hash } from 'node:crypto';

// One-shot crypto.hash: no Hash object per call, which is most of the cost for the short inputs
// (keys, certificates, OTP images) hashed here.

/** SHA-256 of `bytes`. */
export function sha256(bytes: Uint8Array): Uint8Array {
  return new Uint8Array(hash('sha256', bytes, 'buffer'));
}

/** Lowercase hex SHA-256 of `bytes` (the form every Ingrain fingerprint and digest field uses). */
export function sha256Hex(bytes: Uint8Array): string {
  return hash('sha256', bytes, 'hex');
}
