// The browser verifier: a second, independent implementation of Ingrain's bundle verification
// (docs/verifier.md "Browser verifier"), WebCrypto, TextEncoder and Uint8Array only.
export {
  verifyBundleInBrowser,
  BUNDLE_FORMAT,
  type BundleVerification,
  type CheckName,
  type CheckResult,
  type PublishedKeys,
} from './verify-bundle.js';
export type { AttestationFacts } from './attestation.js';
export { derSignatureToRaw, rawSignatureToDer } from './ecdsa.js';
export { fromBase64, toBase64, toHex } from './bytes.js';
