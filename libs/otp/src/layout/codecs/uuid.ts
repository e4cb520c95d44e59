import { bytesToHex } from '#ingrain/encoding';
import { type FieldCodec, decoded, encoded, kindOf, rejected } from './codec.js';

const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

/**
 * A UUID as 16 bytes in RFC 9562 §4 network byte order (the order of the hex digits in the
 * canonical string). JSON form: canonical 8-4-4-4-12 string, any case; decodes to lower case.
 */
export const uuidCodec: FieldCodec = {
  fixedSizeBytes: 16,
  blankByteIsValid: true,
  encode(value) {
    if (typeof value !== 'string') return rejected(`must be a UUID string, not ${kindOf(value)}`);
    if (!UUID.test(value)) return rejected('must be a UUID in canonical form (8-4-4-4-12 hex digits)');
    return encoded(new Uint8Array(Buffer.from(value.replaceAll('-', ''), 'hex')));
  },
  decode(bytes) {
    const hex = bytesToHex(bytes);
    const groups = [hex.slice(0, 8), hex.slice(8, 12), hex.slice(12, 16), hex.slice(16, 20), hex.slice(20)];
    return decoded(groups.join('-'));
  },
};
