import { BLANK_BYTE } from '../../image/otp-image.js';
import { FIELD_TYPES, type FieldType } from '../types.js';
import { boolCodec } from './bool.js';
import { bytesCodec } from './bytes.js';
import { type EncodeResult, type FieldCodec, rejected } from './codec.js';
import { euiCodec } from './eui.js';
import { floatCodec } from './float.js';
import { integerCodec } from './integer.js';
import { asciiCodec, utf8Codec } from './text.js';
import { uuidCodec } from './uuid.js';

const LE = true;
const BE = false;

export const FIELD_CODECS: Readonly<Record<FieldType, FieldCodec>> = {
  bytes: bytesCodec,
  ascii: asciiCodec,
  utf8: utf8Codec,
  u8: integerCodec({ sizeBytes: 1, signed: false, littleEndian: LE }),
  u16le: integerCodec({ sizeBytes: 2, signed: false, littleEndian: LE }),
  u16be: integerCodec({ sizeBytes: 2, signed: false, littleEndian: BE }),
  u32le: integerCodec({ sizeBytes: 4, signed: false, littleEndian: LE }),
  u32be: integerCodec({ sizeBytes: 4, signed: false, littleEndian: BE }),
  u64le: integerCodec({ sizeBytes: 8, signed: false, littleEndian: LE }),
  u64be: integerCodec({ sizeBytes: 8, signed: false, littleEndian: BE }),
  i8: integerCodec({ sizeBytes: 1, signed: true, littleEndian: LE }),
  i16le: integerCodec({ sizeBytes: 2, signed: true, littleEndian: LE }),
  i16be: integerCodec({ sizeBytes: 2, signed: true, littleEndian: BE }),
  i32le: integerCodec({ sizeBytes: 4, signed: true, littleEndian: LE }),
  i32be: integerCodec({ sizeBytes: 4, signed: true, littleEndian: BE }),
  i64le: integerCodec({ sizeBytes: 8, signed: true, littleEndian: LE }),
  i64be: integerCodec({ sizeBytes: 8, signed: true, littleEndian: BE }),
  f32le: floatCodec(4, LE),
  f32be: floatCodec(4, BE),
  f64le: floatCodec(8, LE),
  f64be: floatCodec(8, BE),
  bool: boolCodec,
  uuid: uuidCodec,
  eui48: euiCodec(6),
  eui64: euiCodec(8),
};

export function isFieldType(type: string): type is FieldType {
  return (FIELD_TYPES as readonly string[]).includes(type);
}

/**
 * Encodes a value for a field of `type` and `sizeBytes`, refusing an encoding that is all 0xFF:
 * such a field would read back as blank OTP and stay programmable by anyone later.
 */
export function encodeFieldValue(type: FieldType, sizeBytes: number, value: unknown): EncodeResult {
  const result = FIELD_CODECS[type].encode(value, sizeBytes);
  if (result.ok && result.bytes.every((b) => b === BLANK_BYTE)) {
    return rejected('encodes to all 0xFF bytes, which reads as blank OTP and stays writable: choose another value');
  }
  return result;
}
