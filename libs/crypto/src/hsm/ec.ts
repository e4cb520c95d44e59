import { ECDH } from 'node:crypto';
import { HsmError } from './errors.js';

/** DER of the named-curve OID secp256r1 / P-256, 1.2.840.10045.3.1.7 (RFC 5480 §2.1.1.1): CKA_EC_PARAMS. */
export const P256_EC_PARAMS_DER = Uint8Array.of(0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07);

/** Length of an uncompressed P-256 point: 0x04 ‖ X (32) ‖ Y (32) (SEC 1 v2 §2.3.3). */
export const P256_POINT_LENGTH_BYTES = 65;
/** Length of a P-256 private scalar and of each half of a P1363 signature. */
export const P256_SCALAR_LENGTH_BYTES = 32;

// SubjectPublicKeyInfo for id-ecPublicKey + secp256r1 (RFC 5480 §2), up to the BIT STRING's
// unused-bits byte; the 65-byte point follows.
const P256_SPKI_PREFIX = Uint8Array.of(
  0x30,
  0x59,
  0x30,
  0x13,
  0x06,
  0x07,
  0x2a,
  0x86,
  0x48,
  0xce,
  0x3d,
  0x02,
  0x01,
  0x06,
  0x08,
  0x2a,
  0x86,
  0x48,
  0xce,
  0x3d,
  0x03,
  0x01,
  0x07,
  0x03,
  0x42,
  0x00,
);

/**
 * Extracts the uncompressed point from CKA_EC_POINT. PKCS#11 v2.40 §2.3.3 says the value is a DER
 * OCTET STRING; some modules return the bare point, which is accepted too.
 *
 * @throws HsmError `HSM_OPERATION_FAILED` when the value is not an uncompressed P-256 point.
 */
export function pointFromEcPointAttribute(value: Uint8Array): Uint8Array {
  const wrapped = value.length === P256_POINT_LENGTH_BYTES + 2 && value[0] === 0x04 && value[1] === 0x41;
  const point = wrapped ? value.subarray(2) : value;
  if (point.length !== P256_POINT_LENGTH_BYTES || point[0] !== 0x04) {
    throw new HsmError(
      'HSM_OPERATION_FAILED',
      `CKA_EC_POINT is not an uncompressed P-256 point (${value.length} bytes)`,
    );
  }
  return Uint8Array.from(point);
}

/**
 * Builds the DER SubjectPublicKeyInfo of an uncompressed P-256 point and checks, through
 * node:crypto, that the point is on the curve.
 *
 * @throws HsmError `HSM_OPERATION_FAILED` when the point is not a valid P-256 public key.
 */
export function spkiFromP256Point(point: Uint8Array): Uint8Array {
  const spki = new Uint8Array(P256_SPKI_PREFIX.length + point.length);
  spki.set(P256_SPKI_PREFIX);
  spki.set(point, P256_SPKI_PREFIX.length);
  try {
    // OpenSSL's point decoding rejects points off the curve; ~8x cheaper than createPublicKey here.
    ECDH.convertKey(Buffer.from(point), 'prime256v1', undefined, undefined, 'uncompressed');
  } catch (error) {
    throw new HsmError('HSM_OPERATION_FAILED', 'the token returned a public key that is not on P-256', {
      cause: error,
    });
  }
  return spki;
}

/** True when `ecParams` (CKA_EC_PARAMS) names P-256. */
export function isP256EcParams(ecParams: Uint8Array | undefined): boolean {
  return ecParams !== undefined && Buffer.from(ecParams).equals(P256_EC_PARAMS_DER);
}

/** Left-pads a big-endian integer (CKA_VALUE of an EC private key may drop leading zeros) to `lengthBytes`. */
export function leftPad(value: Uint8Array, lengthBytes: number): Uint8Array {
  if (value.length > lengthBytes) {
    throw new HsmError('HSM_OPERATION_FAILED', `value is ${value.length} bytes, expected at most ${lengthBytes}`);
  }
  const padded = new Uint8Array(lengthBytes);
  padded.set(value, lengthBytes - value.length);
  return padded;
}
