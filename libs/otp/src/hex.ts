const HEX_DIGITS = /^[0-9a-fA-F]*$/;

/** Lower-case hex of `bytes`, two digits per byte, no prefix. */
export function bytesToHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

/**
 * Parses a hex string (case-insensitive, optional `0x` prefix, an even number of digits).
 * Returns undefined for anything else, so callers can phrase their own error without echoing the
 * text (it may be a secret).
 */
export function hexToBytes(text: string): Uint8Array | undefined {
  const digits = text.startsWith('0x') || text.startsWith('0X') ? text.slice(2) : text;
  if (digits.length % 2 !== 0 || !HEX_DIGITS.test(digits)) return undefined;
  return new Uint8Array(Buffer.from(digits, 'hex'));
}
