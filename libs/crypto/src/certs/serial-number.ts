import { randomFillSync } from 'node:crypto';
import { CertificateError } from './errors.js';

/** A source of cryptographically strong random bytes (node:crypto randomBytes, or the HSM's C_GenerateRandom). */
export type RandomSource = (lengthBytes: number) => Uint8Array | Promise<Uint8Array>;

/** Random bytes drawn per serial number: 127 bits after clearing the sign bit (CA/B BR §7.1 asks for ≥ 64). */
export const SERIAL_NUMBER_RANDOM_BYTES = 16;

/**
 * A positive certificate serial number of 127 random bits (RFC 5280 §4.1.2.2: positive, ≤ 20
 * octets). The top bit is cleared so the INTEGER is positive without a padding byte.
 * @throws CertificateError CERT_INPUT_INVALID if the source returns the wrong length or all zeros.
 */
export async function randomSerialNumber(random: RandomSource): Promise<Uint8Array> {
  const bytes = Uint8Array.from(await random(SERIAL_NUMBER_RANDOM_BYTES));
  if (bytes.length !== SERIAL_NUMBER_RANDOM_BYTES) {
    throw new CertificateError(
      'CERT_INPUT_INVALID',
      `random source returned ${bytes.length} bytes, expected ${SERIAL_NUMBER_RANDOM_BYTES}`,
    );
  }
  bytes[0]! &= 0x7f;
  if (bytes.every((b) => b === 0)) throw new CertificateError('CERT_INPUT_INVALID', 'random source returned zeros');
  return bytes;
}

/**
 * A {@link RandomSource} over node:crypto's CSPRNG that refills a pool of `poolBytes` at a time, so
 * a serial number costs a copy instead of a system call. Each byte is handed out once.
 */
export function pooledRandomSource(poolBytes = 4096): RandomSource {
  const pool = new Uint8Array(poolBytes);
  let offset = poolBytes;
  return (lengthBytes) => {
    if (lengthBytes > poolBytes) return randomFillSync(new Uint8Array(lengthBytes));
    if (offset + lengthBytes > poolBytes) {
      randomFillSync(pool);
      offset = 0;
    }
    const out = pool.slice(offset, offset + lengthBytes);
    offset += lengthBytes;
    return out;
  };
}
