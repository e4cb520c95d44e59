import { type FieldCodec, decoded, encoded, kindOf, rejected } from './codec.js';

/** IEEE 754 binary32/binary64 codecs. NaN and ±Infinity are refused in both directions. */
export function floatCodec(sizeBytes: 4 | 8, littleEndian: boolean): FieldCodec {
  const typeName = sizeBytes === 4 ? 'f32' : 'f64';
  return {
    fixedSizeBytes: sizeBytes,
    blankByteIsValid: true,
    encode(value) {
      if (typeof value !== 'number') return rejected(`must be a number, not ${kindOf(value)}`);
      if (!Number.isFinite(value)) return rejected('must be a finite number (NaN and Infinity are not allowed)');
      if (sizeBytes === 4 && !Number.isFinite(Math.fround(value))) {
        return rejected(`is out of range for ${typeName}`);
      }
      const bytes = new Uint8Array(sizeBytes);
      const view = new DataView(bytes.buffer);
      if (sizeBytes === 4) view.setFloat32(0, value, littleEndian);
      else view.setFloat64(0, value, littleEndian);
      return encoded(bytes);
    },
    decode(bytes) {
      const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      const value = sizeBytes === 4 ? view.getFloat32(0, littleEndian) : view.getFloat64(0, littleEndian);
      return Number.isFinite(value) ? decoded(value) : rejected(`holds NaN or Infinity, not a ${typeName} value`);
    },
  };
}
