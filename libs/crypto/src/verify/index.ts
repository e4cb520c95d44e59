// Offline verification of Ingrain attestation bundles (format: docs/verifier.md).
export * from './errors.js';
export {
  VERIFICATION_BUNDLE_FORMAT,
  CONSISTENCY_PROOF_FORMAT,
  type VerificationBundle,
  type VerificationBundleDocument,
  type ConsistencyProofFile,
  type ConsistencyProofDocument,
  type DeviceRead,
  parseVerificationBundle,
  parseConsistencyProofFile,
  parseDeviceRead,
} from './formats.js';
export { VERIFICATION_CHECKS, type VerificationCheck, type CheckStatus, type CheckResult } from './check-result.js';
export type {
  AttestationPort,
  AttestationFacts,
  VerifiedAttestation,
  DeviceReadComparison,
} from './attestation-port.js';
export { defaultAttestationPort } from './attestation-adapter.js';
export { prepareTrust, type VerifierTrustInput, type PreparedTrust } from './trust.js';
export {
  TRUST_ROOT_FORMAT,
  type TrustRoot,
  type TrustRootDocument,
  type TrustRootWitnesses,
  parseTrustRoot,
  serializeTrustRoot,
  trustRootDocument,
  trustInputFromRoot,
  verifierKeyProblem,
} from './trust-root.js';
export { consistencyProofLength } from './log-checks.js';
export { BundleVerifier, type BundleExtras, type BundleVerification } from './bundle-verifier.js';
export {
  verifyBundles,
  verifyBundleInput,
  decodeBundleInput,
  mergeSummaries,
  type BatchVerificationSummary,
  type BundleFailure,
  type VerifyBundlesOptions,
} from './verify-bundles.js';
export { verifyBundlesInParallel, type ParallelVerifyOptions } from './parallel.js';
export { packTexts, unpackText, unpackedTexts, type PackedTexts } from './packed-texts.js';
export { buildVerificationBundle, buildConsistencyProofFile, type BundleSource } from './bundle-builder.js';
export {
  type WitnessPolicyInput,
  type WitnessCheckResult,
  prepareWitnessPolicy,
  checkCheckpointWitnesses,
} from './witness-check.js';
export {
  verifyLogRange,
  rebuildToCheckpoint,
  type LogRangeInput,
  type LogRangeTrust,
  type LogRangeOptions,
  type LogRangeVerification,
} from './range-verifier.js';
export { verifyAttestationEntries, packEntries, type EntryFailure, type EntriesVerification } from './range-entries.js';
export { checkChipBinding, NOT_CHIP_BOUND_DETAIL } from './chip-binding-check.js';
