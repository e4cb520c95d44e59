import { EncodingError } from '#ingrain/encoding';
import {
  decodeDerBitString,
  decodeDerObjectIdentifier,
  derSequenceChildren,
  parseDer,
  sha256,
} from '../encoding/index.js';
import { Oid } from './oids.js';

/** Length of an uncompressed P-256 point: 0x04 ‖ X ‖ Y (SEC 1 §2.3.3). */
const P256_UNCOMPRESSED_POINT_BYTES = 65;

/**
 * The subjectPublicKey bits of a P-256 SubjectPublicKeyInfo (RFC 5480 §2: id-ecPublicKey with the
 * named curve prime256v1, uncompressed point). Checks the structure only, not that the point lies
 * on the curve: keys come from the HSM, and on-curve checks cost as much as a signature.
 * @throws EncodingError ENCODING_DER_INVALID if `spkiDer` is anything else.
 */
export function p256PublicKeyBits(spkiDer: Uint8Array): Uint8Array {
  const [algorithm, key, extra] = derSequenceChildren(parseDer(spkiDer), 'SubjectPublicKeyInfo');
  const [algorithmOid, curveOid, extraParam] = derSequenceChildren(algorithm, 'SPKI algorithm');
  const bad = (what: string): EncodingError =>
    new EncodingError('ENCODING_DER_INVALID', `invalid DER: SubjectPublicKeyInfo ${what}`);
  if (extra !== undefined || extraParam !== undefined) throw bad('has extra fields');
  if (decodeDerObjectIdentifier(algorithmOid, 'SPKI algorithm') !== Oid.ecPublicKey) throw bad('is not an EC key');
  if (decodeDerObjectIdentifier(curveOid, 'SPKI curve') !== Oid.prime256v1) throw bad('is not on P-256');
  const { unusedBits, bytes } = decodeDerBitString(key, 'subjectPublicKey');
  if (unusedBits !== 0 || bytes.length !== P256_UNCOMPRESSED_POINT_BYTES || bytes[0] !== 0x04) {
    throw bad('is not an uncompressed P-256 point');
  }
  return bytes;
}

/**
 * Key identifier per RFC 7093 §2 method 1: the leftmost 160 bits of SHA-256 over the
 * subjectPublicKey bits (SHA-1, RFC 5280's example method, is avoided).
 */
export function keyIdentifier(publicKeyBits: Uint8Array): Uint8Array {
  return sha256(publicKeyBits).subarray(0, 20);
}
