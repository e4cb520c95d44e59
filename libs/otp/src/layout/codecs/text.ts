import { type FieldCodec, type DecodeResult, decoded, encoded, kindOf, rejected } from './codec.js';

const PADDING_BYTE = 0x00;
const utf8Decoder = new TextDecoder('utf-8', { fatal: true });

/**
 * Splits a string field into its content and its 0x00 padding. The padding must run to the end:
 * content never contains 0x00, so the split is unambiguous.
 */
function unpad(bytes: Uint8Array): Uint8Array | undefined {
  const end = bytes.indexOf(PADDING_BYTE);
  if (end === -1) return bytes;
  return bytes.subarray(end).every((b) => b === PADDING_BYTE) ? bytes.subarray(0, end) : undefined;
}

function pad(content: Uint8Array, sizeBytes: number): Uint8Array {
  const bytes = new Uint8Array(sizeBytes).fill(PADDING_BYTE);
  bytes.set(content);
  return bytes;
}

function isPrintableAscii(code: number): boolean {
  return code >= 0x20 && code <= 0x7e;
}

/** Printable ASCII (0x20–0x7E), padded with 0x00 to the field length. */
export const asciiCodec: FieldCodec = {
  fixedSizeBytes: null,
  blankByteIsValid: false,
  encode(value, sizeBytes) {
    if (typeof value !== 'string') return rejected(`must be a string, not ${kindOf(value)}`);
    for (let i = 0; i < value.length; i += 1) {
      if (!isPrintableAscii(value.charCodeAt(i))) {
        return rejected(`must be printable ASCII (0x20-0x7E); character ${i} is not`);
      }
    }
    if (value.length > sizeBytes) return rejected(`must be at most ${sizeBytes} characters (got ${value.length})`);
    return encoded(pad(Buffer.from(value, 'latin1'), sizeBytes));
  },
  decode(bytes): DecodeResult {
    const content = unpad(bytes);
    if (content === undefined || !content.every(isPrintableAscii)) {
      return rejected('is not printable ASCII padded with 0x00');
    }
    return decoded(Buffer.from(content).toString('latin1'));
  },
};

/** UTF-8 text (no U+0000), padded with 0x00 to the field length, which counts bytes. */
export const utf8Codec: FieldCodec = {
  fixedSizeBytes: null,
  blankByteIsValid: false,
  encode(value, sizeBytes) {
    if (typeof value !== 'string') return rejected(`must be a string, not ${kindOf(value)}`);
    if (value.includes('\u0000')) return rejected('must not contain U+0000 (it is the padding byte)');
    const content = Buffer.from(value, 'utf8');
    if (content.toString('utf8') !== value) return rejected('must be well-formed Unicode (no lone surrogates)');
    if (content.length > sizeBytes) {
      return rejected(`must encode to at most ${sizeBytes} UTF-8 bytes (got ${content.length})`);
    }
    return encoded(pad(content, sizeBytes));
  },
  decode(bytes): DecodeResult {
    const content = unpad(bytes);
    if (content === undefined) return rejected('is not UTF-8 text padded with 0x00');
    try {
      return decoded(utf8Decoder.decode(content));
    } catch {
      return rejected('is not valid UTF-8');
    }
  },
};
