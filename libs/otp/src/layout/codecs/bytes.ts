import { bytesToHex, tryHexToBytes } from '#ingrain/encoding';
import { type FieldCodec, decoded, encoded, kindOf, rejected } from './codec.js';

/**
 * Raw bytes of exactly the field length. JSON form: hex string (optional 0x prefix, any case);
 * a Uint8Array is accepted too (generated values). Decodes to lower-case hex without prefix.
 */
export const bytesCodec: FieldCodec = {
  fixedSizeBytes: null,
  blankByteIsValid: true,
  encode(value, sizeBytes) {
    let bytes: Uint8Array | undefined;
    if (value instanceof Uint8Array) bytes = Uint8Array.from(value);
    else if (typeof value === 'string') bytes = tryHexToBytes(value);
    else return rejected(`must be a hex string or bytes, not ${kindOf(value)}`);
    if (bytes === undefined) return rejected('must be a hex string (an even number of hex digits, optional 0x)');
    if (bytes.length !== sizeBytes) return rejected(`must be exactly ${sizeBytes} bytes (got ${bytes.length})`);
    return encoded(bytes);
  },
  decode(bytes) {
    return decoded(bytesToHex(bytes));
  },
};
