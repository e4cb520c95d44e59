import { EncodingError } from './errors.js';

/** Standard padded base64 (RFC 4648 §4). */
export function bytesToBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}

/** Unpadded base64url (RFC 4648 §5). */
export function bytesToBase64Url(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64url');
}

/**
 * Decodes canonical base64: standard alphabet with padding (RFC 4648 §4) or, when `allowUrl` is
 * set, URL-safe alphabet without padding (§5). Canonical means the text is exactly what encoding
 * the decoded bytes gives back: no whitespace, no missing/extra padding, no non-zero pad bits. So
 * every byte string has one accepted text per alphabet, and flipping any bit of the text is caught.
 * @throws EncodingError ENCODING_BASE64_INVALID otherwise (the message never echoes the input).
 */
export function base64ToBytes(text: string, options: { allowUrl?: boolean } = {}): Uint8Array {
  return decodeCanonicalBase64(text, options).bytes;
}

/**
 * {@link base64ToBytes} that also returns the standard padded base64 of the bytes, which the
 * canonicality check computes anyway: `standardBase64 === text` for standard input. Callers that
 * re-encode what they decoded (an envelope's normal form) reuse it instead of encoding again.
 * @throws EncodingError ENCODING_BASE64_INVALID as base64ToBytes does.
 */
export function decodeCanonicalBase64(
  text: string,
  options: { allowUrl?: boolean } = {},
): { bytes: Uint8Array; standardBase64: string } {
  const decoded = Buffer.from(text, 'base64');
  const standardBase64 = decoded.toString('base64');
  if (standardBase64 === text || (options.allowUrl === true && decoded.toString('base64url') === text)) {
    return { bytes: new Uint8Array(decoded), standardBase64 };
  }
  throw new EncodingError('ENCODING_BASE64_INVALID', `invalid or non-canonical base64 (length ${text.length})`);
}

/**
 * Decodes canonical unpadded base64url (RFC 4648 §5).
 * @throws EncodingError ENCODING_BASE64_INVALID for anything else.
 */
export function base64UrlToBytes(text: string): Uint8Array {
  const decoded = Buffer.from(text, 'base64url');
  if (decoded.toString('base64url') === text) return new Uint8Array(decoded);
  throw new EncodingError('ENCODING_BASE64_INVALID', `invalid or non-canonical base64url (length ${text.length})`);
}
