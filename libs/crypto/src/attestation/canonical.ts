import { strictCanonicalJsonBytes } from '#ingrain/encoding';
import { type Attestation } from './attestation.js';
import { parseAttestation } from './checks.js';

/**
 * The canonical bytes of an attestation: UTF-8 of its RFC 8785 (JCS) serialization. These are
 * the DSSE payload bytes. The attestation is validated first (parseAttestation), so bytes are
 * never produced for a malformed attestation or one that carries secret bytes.
 * @throws AttestationError as parseAttestation does.
 */
export function canonicalAttestationBytes(attestation: Attestation): Uint8Array {
  return strictCanonicalJsonBytes(parseAttestation(attestation));
}
