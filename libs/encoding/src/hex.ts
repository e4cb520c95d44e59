import { EncodingError } from './errors.js';

const STRICT_HEX = /^(?:[0-9a-fA-F]{2})*$/;
const HEX_DIGITS = /^[0-9a-fA-F]*$/;

/** Lowercase hex of `bytes`, two digits per byte (no prefix, no separators); respects subarray views. */
export function bytesToHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

/**
 * Decodes strict hex: either case, an even number of digits, no prefix, no separators.
 * @throws EncodingError ENCODING_HEX_INVALID for anything else; the message never echoes the input.
 */
export function hexToBytes(hex: string): Uint8Array {
  if (!STRICT_HEX.test(hex)) {
    throw new EncodingError('ENCODING_HEX_INVALID', `invalid hex string (length ${hex.length})`);
  }
  return new Uint8Array(Buffer.from(hex, 'hex'));
}

/**
 * Parses hex leniently (either case, optional `0x` prefix, an even number of digits) and returns
 * undefined for anything else, so callers phrase their own error without echoing the text (it may
 * be a secret).
 */
export function tryHexToBytes(text: string): Uint8Array | undefined {
  const digits = text.startsWith('0x') || text.startsWith('0X') ? text.slice(2) : text;
  if (digits.length % 2 !== 0 || !HEX_DIGITS.test(digits)) return undefined;
  return new Uint8Array(Buffer.from(digits, 'hex'));
}
