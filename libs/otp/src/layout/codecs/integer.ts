import { type FieldCodec, decoded, encoded, kindOf, rejected } from './codec.js';

interface IntegerShape {
  readonly sizeBytes: 1 | 2 | 4 | 8;
  readonly signed: boolean;
  readonly littleEndian: boolean;
}

const DECIMAL = /^-?(0|[1-9][0-9]*)$/;

/** Reads an integer value: a safe-integer number, a bigint, or (64-bit only) a decimal string. */
function toBigInt(value: unknown, allowString: boolean): bigint | string {
  if (typeof value === 'bigint') return value;
  if (typeof value === 'number') {
    if (!Number.isInteger(value)) return 'must be an integer';
    if (!Number.isSafeInteger(value)) {
      return allowString ? 'is beyond 2^53 and was rounded: write it as a decimal string' : 'must be a safe integer';
    }
    return BigInt(value);
  }
  if (allowString && typeof value === 'string') {
    return DECIMAL.test(value) ? BigInt(value) : 'must be a decimal integer string';
  }
  return `must be an integer${allowString ? ' (number, bigint or decimal string)' : ''}, not ${kindOf(value)}`;
}

/** Two's-complement integer codecs: u8 … u64, i8 … i64, little or big endian. */
export function integerCodec(shape: IntegerShape): FieldCodec {
  const bits = BigInt(shape.sizeBytes * 8);
  const min = shape.signed ? -(1n << (bits - 1n)) : 0n;
  const max = shape.signed ? (1n << (bits - 1n)) - 1n : (1n << bits) - 1n;
  const wide = shape.sizeBytes === 8;
  return {
    fixedSizeBytes: shape.sizeBytes,
    blankByteIsValid: true,
    encode(value) {
      const parsed = toBigInt(value, wide);
      if (typeof parsed === 'string') return rejected(parsed);
      if (parsed < min || parsed > max) return rejected(`is out of range (${min} to ${max})`);
      return encoded(writeInteger(BigInt.asUintN(Number(bits), parsed), shape));
    },
    decode(bytes) {
      const unsigned = readInteger(bytes, shape.littleEndian);
      const value = shape.signed ? BigInt.asIntN(Number(bits), unsigned) : unsigned;
      return decoded(wide ? value.toString() : Number(value));
    },
  };
}

function writeInteger(unsigned: bigint, shape: IntegerShape): Uint8Array {
  const bytes = new Uint8Array(shape.sizeBytes);
  let rest = unsigned;
  for (let i = 0; i < shape.sizeBytes; i += 1) {
    const index = shape.littleEndian ? i : shape.sizeBytes - 1 - i;
    bytes[index] = Number(rest & 0xffn);
    rest >>= 8n;
  }
  return bytes;
}

function readInteger(bytes: Uint8Array, littleEndian: boolean): bigint {
  let value = 0n;
  for (let i = 0; i < bytes.length; i += 1) {
    const byte = bytes[littleEndian ? bytes.length - 1 - i : i] ?? 0;
    value = (value << 8n) | BigInt(byte);
  }
  return value;
}
