import { EncodingError } from '#ingrain/encoding';
import { decodeDerUnsignedInteger, derSequenceChildren, parseDer } from './der-reader.js';
import { derSequence, derUnsignedInteger, encodeDer } from './der-writer.js';

/** Byte length of one P-256 scalar (SEC 2 §2.4.2). */
export const P256_SCALAR_BYTES = 32;

/** The order n of the P-256 base point (SEC 2 §2.4.2, FIPS 186-4 D.1.2.3). */
const P256_ORDER = Buffer.from('ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551', 'hex');

function checkScalar(scalar: Uint8Array, what: string): void {
  const padded = Buffer.alloc(P256_SCALAR_BYTES);
  padded.set(scalar, P256_SCALAR_BYTES - scalar.length);
  if (padded.every((b) => b === 0) || Buffer.compare(padded, P256_ORDER) >= 0) {
    throw new EncodingError('ENCODING_SIGNATURE_INVALID', `ECDSA ${what} is outside [1, n-1]`);
  }
}

/**
 * Converts an IEEE P1363 P-256 signature (r‖s, 64 bytes: what `Signer.sign` returns) to the DER
 * `Ecdsa-Sig-Value ::= SEQUENCE { r INTEGER, s INTEGER }` of RFC 3279 §2.2.3 (X.509, OpenSSL, DSSE
 * here).
 * @throws EncodingError ENCODING_SIGNATURE_INVALID if the length is not 64 or r or s is out of range.
 */
export function p1363ToDer(signature: Uint8Array): Uint8Array {
  if (signature.length !== 2 * P256_SCALAR_BYTES) {
    throw new EncodingError('ENCODING_SIGNATURE_INVALID', `P1363 signature has ${signature.length} bytes, expected 64`);
  }
  const r = signature.subarray(0, P256_SCALAR_BYTES);
  const s = signature.subarray(P256_SCALAR_BYTES);
  checkScalar(r, 'r');
  checkScalar(s, 's');
  return encodeDer(derSequence(derUnsignedInteger(r), derUnsignedInteger(s)));
}

/**
 * Converts a strict DER ECDSA P-256 signature to IEEE P1363 r‖s (64 bytes). Strict means: one DER
 * SEQUENCE of exactly two minimal non-negative INTEGERs in [1, n-1], no trailing bytes; so each
 * (r, s) pair has exactly one accepted encoding.
 * @throws EncodingError ENCODING_SIGNATURE_INVALID otherwise.
 */
export function derToP1363(der: Uint8Array): Uint8Array {
  try {
    const children = derSequenceChildren(parseDer(der), 'ECDSA signature');
    if (children.length !== 2) throw new EncodingError('ENCODING_DER_INVALID', 'ECDSA signature needs exactly r and s');
    const out = new Uint8Array(2 * P256_SCALAR_BYTES);
    [decodeDerUnsignedInteger(children[0], 'r'), decodeDerUnsignedInteger(children[1], 's')].forEach((scalar, i) => {
      if (scalar.length > P256_SCALAR_BYTES) throw new EncodingError('ENCODING_DER_INVALID', 'ECDSA scalar too long');
      checkScalar(scalar, i === 0 ? 'r' : 's');
      out.set(scalar, (i + 1) * P256_SCALAR_BYTES - scalar.length);
    });
    return out;
  } catch (error) {
    if (error instanceof EncodingError && error.code === 'ENCODING_SIGNATURE_INVALID') throw error;
    throw new EncodingError('ENCODING_SIGNATURE_INVALID', 'malformed DER ECDSA signature', { cause: error });
  }
}
