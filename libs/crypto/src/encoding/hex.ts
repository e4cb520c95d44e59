import { EncodingError } from './errors.js';

const HEX_PATTERN = /^(?:[0-9a-fA-F]{2})*$/;

/** Lowercase hex of `bytes` (no prefix, no separators). */
export function bytesToHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

/**
 * Decodes hex (either case, even length, no prefix, no separators).
 * @throws EncodingError ENCODING_HEX_INVALID for anything else; the message never echoes the input.
 */
export function hexToBytes(hex: string): Uint8Array {
  if (!HEX_PATTERN.test(hex)) {
    throw new EncodingError('ENCODING_HEX_INVALID', `invalid hex string (length ${hex.length})`);
  }
  return new Uint8Array(Buffer.from(hex, 'hex'));
}
