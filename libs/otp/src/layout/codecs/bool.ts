import { type FieldCodec, decoded, encoded, kindOf, rejected } from './codec.js';

const TRUE_BYTE = 0x01;
const FALSE_BYTE = 0x00;

/** One byte: 0x01 true, 0x00 false. Any other byte decodes as invalid. */
export const boolCodec: FieldCodec = {
  fixedSizeBytes: 1,
  blankByteIsValid: false,
  encode(value) {
    if (typeof value !== 'boolean') return rejected(`must be true or false, not ${kindOf(value)}`);
    return encoded(Uint8Array.of(value ? TRUE_BYTE : FALSE_BYTE));
  },
  decode(bytes) {
    if (bytes[0] === TRUE_BYTE) return decoded(true);
    if (bytes[0] === FALSE_BYTE) return decoded(false);
    return rejected('is neither 0x01 (true) nor 0x00 (false)');
  },
};
