import { base64ToBytes, bytesToBase64, EncodingError } from '#ingrain/encoding';

const LINE_LENGTH = 64; // RFC 7468 §2: generators wrap base64 at exactly 64 characters

/** PEM text (RFC 7468 strict form): BEGIN line, base64 in 64-character lines, END line, final LF. */
export function encodePem(label: string, der: Uint8Array): string {
  const body = bytesToBase64(der);
  const lines: string[] = [];
  for (let i = 0; i < body.length; i += LINE_LENGTH) lines.push(body.slice(i, i + LINE_LENGTH));
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

/**
 * Decodes exactly one PEM block with the given label. Accepts LF or CRLF, surrounding whitespace and
 * any line wrapping (RFC 7468 §3 lax parsing) but no explanatory text inside the block and no
 * second block; the base64 must be canonical.
 * @throws EncodingError ENCODING_PEM_INVALID naming the expected label.
 */
export function decodePem(text: string, label: string): Uint8Array {
  const begin = `-----BEGIN ${label}-----`;
  const end = `-----END ${label}-----`;
  const trimmed = text.trim();
  if (!trimmed.startsWith(begin) || !trimmed.endsWith(end)) {
    throw new EncodingError('ENCODING_PEM_INVALID', `not a single PEM block labelled ${label}`);
  }
  const body = trimmed.slice(begin.length, trimmed.length - end.length).replace(/[\r\n\t ]+/g, '');
  if (body.length === 0 || body.includes('-')) {
    throw new EncodingError('ENCODING_PEM_INVALID', `PEM block ${label} has no body or more than one block`);
  }
  try {
    return base64ToBytes(body);
  } catch (error) {
    throw new EncodingError('ENCODING_PEM_INVALID', `PEM block ${label} has invalid base64`, { cause: error });
  }
}
