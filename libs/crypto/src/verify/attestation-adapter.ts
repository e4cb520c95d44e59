import {
  type Attestation,
  attestationLeafBytes,
  compareDeviceReadWithAttestation,
  describeDeviceReadDifference,
  verifyAttestationEnvelopeWithLeaf,
} from '../attestation/index.js';
import type { AttestationPort, DeviceReadComparison, VerifiedAttestation } from './attestation-port.js';

function compare(attestation: Attestation, otpData: Uint8Array, lockBytes: Uint8Array): DeviceReadComparison {
  const comparison = compareDeviceReadWithAttestation(attestation, otpData, lockBytes);
  const unchecked = comparison.secretFields.filter((field) => field.status === 'not-checked').map((f) => f.name);
  return {
    matches: comparison.matches,
    differences: comparison.differences.map(describeDeviceReadDifference),
    uncheckedSecretFields: unchecked,
  };
}

function verified(attestation: Attestation, leafBytes: () => Uint8Array): VerifiedAttestation {
  return {
    facts: {
      deviceCertificateFingerprintSha256: attestation.deviceCertificateSha256,
      product: attestation.product,
      serial: attestation.serial,
      deviceId: attestation.deviceId,
      chip: attestation.chip,
      secretFields: attestation.otp.secretFields,
    },
    compareDeviceRead: (otpData, lockBytes) => compare(attestation, otpData, lockBytes),
    leafBytes,
    attestedOtpDataHex: () => attestation.otp.dataHex,
  };
}

/**
 * The attestation port backed by libs/crypto/src/attestation: DSSE envelope verification
 * (verifyAttestationEnvelopeWithLeaf: the verified decode also yields the leaf), the log leaf
 * (attestationLeafBytes) and the device-read comparison (compareDeviceReadWithAttestation, secret
 * fields left unchecked: no salts offline).
 */
export const defaultAttestationPort: AttestationPort = {
  verify: (envelope, attestationPublicKeySpkiDer) => {
    const { attestation, leafBytes } = verifyAttestationEnvelopeWithLeaf(envelope, attestationPublicKeySpkiDer);
    return verified(attestation, leafBytes);
  },
  leafBytes: (envelope) => attestationLeafBytes(envelope),
};
