import { verify } from 'node:crypto';
import { bytesToBase64 } from '#ingrain/encoding';
import { p1363ToDer } from '../encoding/index.js';
import { type Signer } from '../signer.js';
import { type Attestation } from './attestation.js';
import { canonicalAttestationBytes } from './canonical.js';
import { type DsseEnvelope, dssePreAuthenticationEncoding } from './dsse.js';
import { AttestationError } from './errors.js';
import { ATTESTATION_PAYLOAD_TYPE } from './format.js';
import { attestationVerificationKey } from './public-keys.js';

/**
 * Signs an attestation into a DSSE envelope: payload = canonicalAttestationBytes(attestation),
 * signed bytes = PAE(payloadType, payload), sig = base64 of the DER ECDSA P-256 signature, keyid =
 * hex SHA-256 of the signer's SPKI. The signature is verified with the signer's public key before
 * the envelope is returned, so a faulty signer never produces a stored attestation.
 * @throws AttestationError from canonicalAttestationBytes (invalid attestation, secret bytes);
 * ATTESTATION_SIGNING_FAILED if the signer returns a malformed or non-verifying signature;
 * whatever the signer throws.
 */
export async function signAttestation(attestation: Attestation, signer: Signer): Promise<DsseEnvelope> {
  const payload = canonicalAttestationBytes(attestation);
  const signedBytes = dssePreAuthenticationEncoding(ATTESTATION_PAYLOAD_TYPE, payload);
  const p1363 = await signer.sign(signedBytes);
  const key = attestationVerificationKey(signer.publicKeySpkiDer);
  let der: Uint8Array;
  try {
    der = p1363ToDer(p1363);
  } catch (error) {
    throw new AttestationError('ATTESTATION_SIGNING_FAILED', `signer ${signer.label} returned a malformed signature`, {
      cause: error,
    });
  }
  if (!verify('sha256', signedBytes, { key: key.keyObject, dsaEncoding: 'ieee-p1363' }, p1363)) {
    throw new AttestationError(
      'ATTESTATION_SIGNING_FAILED',
      `signer ${signer.label} returned a signature that does not verify`,
    );
  }
  return {
    payloadType: ATTESTATION_PAYLOAD_TYPE,
    payload: bytesToBase64(payload),
    signatures: [{ keyid: key.keyid, sig: bytesToBase64(der) }],
  };
}
