// Signed device attestations (format: docs/attestation.md).
export * from './errors.js';
export {
  ATTESTATION_FORMAT_VERSION,
  ATTESTATION_PAYLOAD_TYPE,
  SECRET_MASK_BYTE,
  SECRET_COMMITMENT_DOMAIN,
  COMMITMENT_SALT_MIN_BYTES,
  COMMITMENT_SALT_MAX_BYTES,
} from './format.js';
export { type Attestation, type AttestedSecretField } from './attestation.js';
export { commitSecretField, maskSecretFields } from './commitment.js';
export { buildAttestation, type AttestationInput } from './build.js';
export { parseAttestation } from './checks.js';
export { canonicalAttestationBytes } from './canonical.js';
export { type DsseEnvelope, type DsseSignature, dssePreAuthenticationEncoding } from './dsse.js';
export { attestationKeyId } from './public-keys.js';
export { signAttestation } from './sign.js';
export {
  verifyAttestationEnvelope,
  verifyAttestationEnvelopeWithLeaf,
  verifyAttestationEnvelopeSignature,
  type VerifiedAttestationEnvelope,
} from './verify.js';
export { attestationLeafBytes, serializeAttestationEnvelope } from './leaf.js';
export {
  compareDeviceReadWithAttestation,
  describeDeviceReadDifference,
  type CompareDeviceReadOptions,
  type DeviceReadComparisonResult,
  type DeviceReadDifference,
  type SecretFieldCheck,
} from './compare.js';
