import { bytesToHex } from '#ingrain/encoding';
import { type FieldCodec, decoded, encoded, kindOf, rejected } from './codec.js';

/**
 * IEEE EUI-48 (MAC address) or EUI-64, first octet first (transmission order as written).
 * JSON form: octets as hex pairs separated by ':' or '-', any case; decodes to lower case with ':'.
 */
export function euiCodec(sizeBytes: 6 | 8): FieldCodec {
  const pair = '[0-9a-fA-F]{2}';
  const pattern = new RegExp(`^${pair}(?:([:-])${pair}(?:\\1${pair}){${sizeBytes - 2}})$`);
  const typeName = sizeBytes === 6 ? 'EUI-48' : 'EUI-64';
  return {
    fixedSizeBytes: sizeBytes,
    blankByteIsValid: true,
    encode(value) {
      if (typeof value !== 'string') return rejected(`must be an ${typeName} string, not ${kindOf(value)}`);
      if (!pattern.test(value)) {
        return rejected(`must be an ${typeName}: ${sizeBytes} hex pairs separated by ':' or '-'`);
      }
      return encoded(new Uint8Array(Buffer.from(value.replace(/[:-]/g, ''), 'hex')));
    },
    decode(bytes) {
      return decoded(bytesToHex(bytes).match(/../g)?.join(':') ?? '');
    },
  };
}
