// Device secret derivation: NIST SP 800-108r1 §4.1 KDF in counter mode with HMAC-SHA256 as PRF.
// Specified byte for byte in docs/keys.md ("Device secret derivation"); keep the two in step.
import { createHmac } from 'node:crypto';
import { HsmError } from './errors.js';

/** What a derived secret is for. Each field is 1..255 bytes of well-formed UTF-8. */
export interface DerivationContext {
  readonly product: string;
  readonly serial: string;
  readonly purpose: string;
}

/** SP 800-108 "Label": fixed, names the scheme and its version. */
export const DERIVATION_LABEL = 'ingrain/device-secret/v1';
/** Largest derivable secret, in bytes (32 HMAC blocks). */
export const MAX_DERIVED_LENGTH_BYTES = 1024;
const MAX_FIELD_BYTES = 255;
const PRF_OUTPUT_BYTES = 32; // HMAC-SHA256

/**
 * The SP 800-108 "Context": product, serial and purpose, each as a 1-byte length followed by its
 * UTF-8 bytes, in that order. Length prefixes make the encoding injective.
 *
 * @throws HsmError `HSM_INVALID_ARGUMENT` naming the field that is empty, too long or not well-formed.
 */
export function encodeDerivationContext(context: DerivationContext): Uint8Array {
  const fields = (['product', 'serial', 'purpose'] as const).map((name) => encodeField(name, context[name]));
  return Buffer.concat(fields);
}

function encodeField(name: string, value: string): Uint8Array {
  const bytes = Buffer.from(value, 'utf8');
  // A lone surrogate becomes U+FFFD in UTF-8: two different strings would derive the same secret.
  if (bytes.toString('utf8') !== value) {
    throw new HsmError('HSM_INVALID_ARGUMENT', `derivation context ${name} is not well-formed Unicode`);
  }
  if (bytes.length === 0 || bytes.length > MAX_FIELD_BYTES) {
    throw new HsmError(
      'HSM_INVALID_ARGUMENT',
      `derivation context ${name} must be 1..${MAX_FIELD_BYTES} UTF-8 bytes, got ${bytes.length}`,
    );
  }
  return Buffer.concat([Uint8Array.of(bytes.length), bytes]);
}

/**
 * The PRF input of block `counter`: [i]₃₂ ‖ Label ‖ 0x00 ‖ Context ‖ [L]₃₂, integers big-endian,
 * L = lengthBytes × 8 (SP 800-108r1 §4.1, r = 32).
 */
export function derivationBlockInput(counter: number, encodedContext: Uint8Array, lengthBytes: number): Uint8Array {
  const counterBytes = Buffer.alloc(4);
  counterBytes.writeUInt32BE(counter);
  const lengthBits = Buffer.alloc(4);
  lengthBits.writeUInt32BE(lengthBytes * 8);
  return Buffer.concat([
    counterBytes,
    Buffer.from(DERIVATION_LABEL, 'ascii'),
    Uint8Array.of(0),
    encodedContext,
    lengthBits,
  ]);
}

/**
 * Runs the counter-mode KDF with `prf` (HMAC-SHA256 under the master key, wherever that key lives)
 * and returns exactly `lengthBytes` bytes.
 *
 * @throws HsmError `HSM_INVALID_ARGUMENT` for a bad context or a length outside 1..1024.
 */
export async function deriveWithPrf(
  prf: (input: Uint8Array) => Promise<Uint8Array>,
  context: DerivationContext,
  lengthBytes: number,
): Promise<Uint8Array> {
  if (!Number.isInteger(lengthBytes) || lengthBytes < 1 || lengthBytes > MAX_DERIVED_LENGTH_BYTES) {
    throw new HsmError('HSM_INVALID_ARGUMENT', `derived length must be 1..${MAX_DERIVED_LENGTH_BYTES} bytes`);
  }
  const encodedContext = encodeDerivationContext(context);
  const output = new Uint8Array(Math.ceil(lengthBytes / PRF_OUTPUT_BYTES) * PRF_OUTPUT_BYTES);
  for (let counter = 1; (counter - 1) * PRF_OUTPUT_BYTES < lengthBytes; counter += 1) {
    const block = await prf(derivationBlockInput(counter, encodedContext, lengthBytes));
    output.set(block, (counter - 1) * PRF_OUTPUT_BYTES);
    block.fill(0);
  }
  const result = output.slice(0, lengthBytes);
  output.fill(0);
  return result;
}

/**
 * Reference implementation with the master key in memory, for auditors and tests that hold a test
 * key: must give the same bytes as {@link Hsm.deriveDeviceSecret} with that key in the HSM.
 */
export async function deriveDeviceSecretWithKey(
  masterKey: Uint8Array,
  context: DerivationContext,
  lengthBytes: number,
): Promise<Uint8Array> {
  const prf = (input: Uint8Array) =>
    Promise.resolve(Uint8Array.from(createHmac('sha256', masterKey).update(input).digest()));
  return deriveWithPrf(prf, context, lengthBytes);
}
