import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { FIELD_TYPES, type FieldType } from '../types.js';
import { FIELD_CODECS } from './registry.js';

const fixedTypes = FIELD_TYPES.filter(
  (t) => FIELD_CODECS[t].fixedSizeBytes !== null && !t.startsWith('f') && t !== 'bool',
);

function roundTrips(type: FieldType, value: unknown, sizeBytes: number): unknown {
  const encodedValue = FIELD_CODECS[type].encode(value, sizeBytes);
  assert.ok(encodedValue.ok, `${type} refused a valid value: ${encodedValue.ok ? '' : encodedValue.reason}`);
  assert.equal(encodedValue.bytes.length, sizeBytes);
  const decodedValue = FIELD_CODECS[type].decode(encodedValue.bytes);
  assert.ok(decodedValue.ok);
  return decodedValue.value;
}

describe('codec round trips', () => {
  test('any bytes of an integer, uuid or eui type decode to a value that encodes back to them', () => {
    const arb = fc.constantFrom(...fixedTypes).chain((type) => {
      const size = FIELD_CODECS[type].fixedSizeBytes ?? 0;
      return fc.tuple(fc.constant(type), fc.uint8Array({ minLength: size, maxLength: size }));
    });
    fc.assert(
      fc.property(arb, ([type, bytes]) => {
        const value = FIELD_CODECS[type].decode(bytes);
        assert.ok(value.ok);
        const again = FIELD_CODECS[type].encode(value.value, bytes.length);
        assert.ok(again.ok);
        assert.deepEqual(again.bytes, bytes);
      }),
    );
  });

  test('any in-range integer survives encode and decode', () => {
    const cases = fc.oneof(
      fc.tuple(fc.constant<FieldType>('u64be'), fc.bigInt({ min: 0n, max: 2n ** 64n - 1n })),
      fc.tuple(fc.constant<FieldType>('i64le'), fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n })),
      fc.tuple(fc.constant<FieldType>('i32be'), fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 })),
      fc.tuple(fc.constant<FieldType>('u16le'), fc.integer({ min: 0, max: 0xffff })),
    );
    fc.assert(
      fc.property(cases, ([type, value]) => {
        const back = roundTrips(type, value, FIELD_CODECS[type].fixedSizeBytes ?? 0);
        assert.equal(String(back), String(value));
      }),
    );
  });

  test('floats: f64 exactly, f32 as Math.fround', () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (value) => {
        assert.equal(roundTrips('f64be', value, 8), value);
        if (Number.isFinite(Math.fround(value))) assert.equal(roundTrips('f32le', value, 4), Math.fround(value));
      }),
    );
  });

  test('ascii and utf8 text survive encode and decode', () => {
    const ascii = fc.string({
      unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)),
      maxLength: 32,
    });
    fc.assert(fc.property(ascii, (text) => assert.equal(roundTrips('ascii', text, 32), text)));
    const utf8 = fc.string({ unit: 'binary', maxLength: 12 }).filter((s) => !s.includes('\u0000'));
    fc.assert(fc.property(utf8, (text) => assert.equal(roundTrips('utf8', text, 64), text)));
  });
});
