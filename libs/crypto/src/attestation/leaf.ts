import { strictCanonicalJson, strictCanonicalJsonBytes } from '#ingrain/encoding';
import { type DecodedEnvelope, decodeDsseEnvelope, encodeDsseEnvelope } from './dsse.js';

/**
 * The JSON text Ingrain stores and publishes for an envelope: RFC 8785 (JCS) of its normal form
 * (standard padded base64, keyid always present, unknown fields dropped).
 * @throws AttestationError ATTESTATION_MALFORMED if `envelope` is not a DSSE envelope.
 */
export function serializeAttestationEnvelope(envelope: unknown): string {
  return strictCanonicalJson(encodeDsseEnvelope(decodeDsseEnvelope(envelope)));
}

/**
 * The transparency-log leaf of an attestation: UTF-8 of serializeAttestationEnvelope(envelope),
 * i.e. JCS of {"payload","payloadType","signatures":[{"keyid","sig"}]} in normal form. The log
 * hashes it as SHA-256(0x00 ‖ leaf) (RFC 9162 §2.1.1). Checks the envelope's shape, not its signature.
 * @throws AttestationError ATTESTATION_MALFORMED if `envelope` is not a DSSE envelope.
 */
export function attestationLeafBytes(envelope: unknown): Uint8Array {
  return decodedEnvelopeLeafBytes(decodeDsseEnvelope(envelope));
}

/** {@link attestationLeafBytes} of an envelope already decoded (no second decode, no re-encoding). */
export function decodedEnvelopeLeafBytes(decoded: DecodedEnvelope): Uint8Array {
  return strictCanonicalJsonBytes(encodeDsseEnvelope(decoded));
}
