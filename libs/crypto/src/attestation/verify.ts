import { type KeyObject, verify } from 'node:crypto';
import { strictCanonicalJson } from '#ingrain/encoding';
import { derToP1363 } from '../encoding/index.js';
import { type Attestation } from './attestation.js';
import { parseAttestation } from './checks.js';
import { type DecodedEnvelope, decodeDsseEnvelope, dssePreAuthenticationEncoding } from './dsse.js';
import { AttestationError } from './errors.js';
import { ATTESTATION_FORMAT_VERSION, ATTESTATION_PAYLOAD_TYPE_PATTERN } from './format.js';
import { decodedEnvelopeLeafBytes } from './leaf.js';
import { type AttestationVerificationKey, attestationVerificationKey } from './public-keys.js';

const utf8 = new TextDecoder('utf-8', { fatal: true });

function checkPayloadType(payloadType: string): void {
  const match = ATTESTATION_PAYLOAD_TYPE_PATTERN.exec(payloadType);
  if (match === null)
    throw new AttestationError('ATTESTATION_MALFORMED', 'DSSE payloadType is not an Ingrain attestation');
  if (Number(match[1]) !== ATTESTATION_FORMAT_VERSION) {
    throw new AttestationError(
      'ATTESTATION_UNSUPPORTED_VERSION',
      `attestation payloadType v${match[1]} is not supported (this verifier reads v${ATTESTATION_FORMAT_VERSION})`,
    );
  }
}

function importKey(key: Uint8Array | KeyObject): AttestationVerificationKey {
  try {
    return attestationVerificationKey(key);
  } catch (error) {
    throw new AttestationError('ATTESTATION_INPUT_INVALID', 'the attestation verification key is not a public key', {
      cause: error,
    });
  }
}

function signatureVerifies(signedBytes: Uint8Array, sigBytes: Uint8Array, key: KeyObject): boolean {
  let p1363: Uint8Array;
  try {
    p1363 = derToP1363(sigBytes);
  } catch {
    return false;
  }
  return verify('sha256', signedBytes, { key, dsaEncoding: 'ieee-p1363' }, p1363);
}

function checkSignatures(envelope: DecodedEnvelope, key: AttestationVerificationKey): void {
  const signedBytes = dssePreAuthenticationEncoding(envelope.payloadType, envelope.payloadBytes);
  const candidates = envelope.signatures.filter((s) => s.keyid === key.keyid || s.keyid === '');
  if (!candidates.some((s) => signatureVerifies(signedBytes, s.sigBytes, key.keyObject))) {
    throw new AttestationError(
      'ATTESTATION_SIGNATURE_INVALID',
      `no signature in the envelope verifies with key ${key.keyid.slice(0, 16)}…`,
    );
  }
}

function parsePayload(payloadBytes: Uint8Array): Attestation {
  let value: unknown;
  let text: string;
  try {
    text = utf8.decode(payloadBytes);
    value = JSON.parse(text);
  } catch (error) {
    throw new AttestationError('ATTESTATION_MALFORMED', 'attestation payload is not UTF-8 JSON', { cause: error });
  }
  let canonical: string;
  try {
    canonical = strictCanonicalJson(value);
  } catch (error) {
    throw new AttestationError('ATTESTATION_MALFORMED', 'attestation payload holds values JCS does not allow', {
      cause: error,
    });
  }
  if (canonical !== text)
    throw new AttestationError('ATTESTATION_MALFORMED', 'attestation payload is not in RFC 8785 canonical form');
  return parseAttestation(value);
}

/**
 * Verifies a DSSE attestation envelope (a parsed JSON value) with the attestation public key and
 * returns the attestation. Order: envelope shape; payloadType; signature (at least one signature
 * whose keyid is this key's or empty must verify over PAE(payloadType, payload); DER, strict);
 * only then the payload: UTF-8, JSON, exactly its RFC 8785 canonical form (so duplicate keys or
 * re-formatting are refused), the v1 schema and cross-field rules. Synchronous; the key import
 * is cached, so verifying many envelopes with one key costs about one ECDSA verification each.
 * @throws AttestationError ATTESTATION_MALFORMED, ATTESTATION_UNSUPPORTED_VERSION,
 * ATTESTATION_SIGNATURE_INVALID, ATTESTATION_SECRET_BYTES_PRESENT, or ATTESTATION_INPUT_INVALID
 * if `attestationPublicKey` is not a public key.
 */
export function verifyAttestationEnvelope(
  envelope: unknown,
  attestationPublicKey: Uint8Array | KeyObject,
): Attestation {
  return verifyDecoded(decodeDsseEnvelope(envelope), attestationPublicKey);
}

function verifyDecoded(decoded: DecodedEnvelope, attestationPublicKey: Uint8Array | KeyObject): Attestation {
  checkPayloadType(decoded.payloadType);
  checkSignatures(decoded, importKey(attestationPublicKey));
  return parsePayload(decoded.payloadBytes);
}

/** What {@link verifyAttestationEnvelopeWithLeaf} returns. */
export interface VerifiedAttestationEnvelope {
  readonly attestation: Attestation;
  /** attestationLeafBytes of the same envelope, from the decode that was verified (computed on first call). */
  readonly leafBytes: () => Uint8Array;
}

/**
 * {@link verifyAttestationEnvelope} that also gives the envelope's transparency-log leaf bytes
 * (exactly attestationLeafBytes(envelope)) from the same decode, so a verifier that checks the
 * signature and then the log inclusion decodes the envelope once. Same checks, same errors.
 * @throws AttestationError as verifyAttestationEnvelope does.
 */
export function verifyAttestationEnvelopeWithLeaf(
  envelope: unknown,
  attestationPublicKey: Uint8Array | KeyObject,
): VerifiedAttestationEnvelope {
  const decoded = decodeDsseEnvelope(envelope);
  const attestation = verifyDecoded(decoded, attestationPublicKey);
  let leaf: Uint8Array | undefined;
  return { attestation, leafBytes: () => (leaf ??= decodedEnvelopeLeafBytes(decoded)) };
}

/**
 * The envelope checks of {@link verifyAttestationEnvelope} up to and including the signature
 * (shape, payloadType, a signature by this key over PAE(payloadType, payload)), WITHOUT the
 * payload's checks (UTF-8, RFC 8785 form, schema), and the envelope's transparency-log leaf bytes
 * (exactly attestationLeafBytes(envelope)). For a writer that logs envelopes its own attestation
 * key signed, whose payloads were checked when they were built (canonicalAttestationBytes, before
 * signAttestation): one decode and one ECDSA verification with the cached key, no payload re-parse.
 * Readers and auditors verify with {@link verifyAttestationEnvelope}.
 * @throws AttestationError ATTESTATION_MALFORMED, ATTESTATION_UNSUPPORTED_VERSION,
 * ATTESTATION_SIGNATURE_INVALID, or ATTESTATION_INPUT_INVALID if `attestationPublicKey` is not a public key.
 */
export function verifyAttestationEnvelopeSignature(
  envelope: unknown,
  attestationPublicKey: Uint8Array | KeyObject,
): Uint8Array {
  const decoded = decodeDsseEnvelope(envelope);
  checkPayloadType(decoded.payloadType);
  checkSignatures(decoded, importKey(attestationPublicKey));
  return decodedEnvelopeLeafBytes(decoded);
}
