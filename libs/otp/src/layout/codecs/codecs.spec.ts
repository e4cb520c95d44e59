import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type FieldType } from '../types.js';
import { type EncodeResult } from './codec.js';
import { FIELD_CODECS, encodeFieldValue } from './registry.js';

function bytesOf(type: FieldType, value: unknown, sizeBytes = FIELD_CODECS[type].fixedSizeBytes ?? 0): number[] {
  const result = FIELD_CODECS[type].encode(value, sizeBytes);
  assert.ok(result.ok, `encode ${type} failed: ${result.ok ? '' : result.reason}`);
  return [...result.bytes];
}

function reasonOf(result: EncodeResult): string {
  assert.equal(result.ok, false);
  return result.ok ? '' : result.reason;
}

function rejects(type: FieldType, value: unknown, fragment: string, sizeBytes?: number): void {
  const size = sizeBytes ?? FIELD_CODECS[type].fixedSizeBytes ?? 0;
  assert.match(reasonOf(FIELD_CODECS[type].encode(value, size)), new RegExp(fragment));
}

function decodes(type: FieldType, bytes: number[]): unknown {
  const result = FIELD_CODECS[type].decode(Uint8Array.from(bytes));
  assert.ok(result.ok, `decode ${type} failed: ${result.ok ? '' : result.reason}`);
  return result.value;
}

describe('integer codecs', () => {
  test('byte order', () => {
    assert.deepEqual(bytesOf('u16le', 0x1234), [0x34, 0x12]);
    assert.deepEqual(bytesOf('u16be', 0x1234), [0x12, 0x34]);
    assert.deepEqual(bytesOf('u32le', 0x01020304), [4, 3, 2, 1]);
    assert.deepEqual(bytesOf('u32be', 0x01020304), [1, 2, 3, 4]);
    assert.deepEqual(bytesOf('u64be', '72623859790382856'), [1, 2, 3, 4, 5, 6, 7, 8]);
    assert.deepEqual(bytesOf('u64le', 72623859790382856n), [8, 7, 6, 5, 4, 3, 2, 1]);
  });

  test("two's complement for signed types", () => {
    assert.deepEqual(bytesOf('i8', -128), [0x80]);
    assert.deepEqual(bytesOf('i16le', -2), [0xfe, 0xff]);
    assert.deepEqual(bytesOf('i32be', -2), [0xff, 0xff, 0xff, 0xfe]);
    assert.deepEqual(bytesOf('i64le', '-9223372036854775808'), [0, 0, 0, 0, 0, 0, 0, 0x80]);
    assert.equal(decodes('i16be', [0x80, 0x00]), -32768);
    assert.equal(decodes('i64be', [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe]), '-2');
  });

  test('64-bit values decode to decimal strings, narrower ones to numbers', () => {
    assert.equal(decodes('u64le', [0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]), '18446744073709551614');
    assert.equal(decodes('u32le', [0xfe, 0xff, 0xff, 0xff]), 4294967294);
    assert.equal(decodes('u8', [7]), 7);
  });

  test('ranges and types', () => {
    rejects('u8', 256, 'out of range \\(0 to 255\\)');
    rejects('u8', -1, 'out of range');
    rejects('i8', 128, 'out of range \\(-128 to 127\\)');
    rejects('u32le', 2 ** 32, 'out of range');
    rejects('u64le', '18446744073709551616', 'out of range');
    rejects('i64le', -(2n ** 63n) - 1n, 'out of range');
    rejects('u16le', 1.5, 'must be an integer');
    rejects('u16le', '12', 'must be an integer, not a string');
    rejects('u64le', 2 ** 60, 'decimal string');
    rejects('u64le', '0x10', 'decimal integer string');
    rejects('u64le', '01', 'decimal integer string');
    rejects('u32le', null, 'not null');
  });
});

describe('float codecs', () => {
  test('IEEE 754 byte order', () => {
    assert.deepEqual(bytesOf('f32le', 1.25), [0x00, 0x00, 0xa0, 0x3f]);
    assert.deepEqual(bytesOf('f32be', 1.25), [0x3f, 0xa0, 0x00, 0x00]);
    assert.deepEqual(bytesOf('f64be', 1), [0x3f, 0xf0, 0, 0, 0, 0, 0, 0]);
    assert.equal(decodes('f64le', [0, 0, 0, 0, 0, 0, 0xf0, 0x3f]), 1);
  });

  test('f32 rounds to the nearest binary32 value', () => {
    assert.equal(decodes('f32le', bytesOf('f32le', 0.1)), Math.fround(0.1));
  });

  test('refuses NaN, Infinity, out-of-range f32 and non-numbers; decoding NaN is a problem', () => {
    rejects('f32le', Number.NaN, 'finite');
    rejects('f64be', Number.POSITIVE_INFINITY, 'finite');
    rejects('f32le', 1e39, 'out of range for f32');
    rejects('f64le', '1.5', 'must be a number');
    const nan = FIELD_CODECS.f32le.decode(Uint8Array.from([0, 0, 0xc0, 0x7f]));
    assert.equal(nan.ok, false);
  });
});

describe('text codecs', () => {
  test('ascii pads with 0x00 to the field length', () => {
    assert.deepEqual(bytesOf('ascii', 'AB', 4), [0x41, 0x42, 0, 0]);
    assert.deepEqual(bytesOf('ascii', '', 2), [0, 0]);
    assert.equal(decodes('ascii', [0x41, 0x42, 0, 0]), 'AB');
    assert.equal(decodes('ascii', [0x41, 0x42]), 'AB');
  });

  test('ascii refuses non-printable characters, overlong text and non-strings', () => {
    rejects('ascii', 'tab\there', 'printable ASCII', 16);
    rejects('ascii', 'café', 'printable ASCII', 16);
    rejects('ascii', 'ABCDE', 'at most 4 characters \\(got 5\\)', 4);
    rejects('ascii', 42, 'must be a string', 4);
  });

  test('ascii decoding refuses bytes after the padding and non-printable bytes', () => {
    assert.equal(FIELD_CODECS.ascii.decode(Uint8Array.from([0x41, 0, 0x42, 0])).ok, false);
    assert.equal(FIELD_CODECS.ascii.decode(Uint8Array.from([0x41, 0x07])).ok, false);
  });

  test('utf8 counts bytes, pads with 0x00, and refuses NUL and lone surrogates', () => {
    assert.deepEqual(bytesOf('utf8', 'é', 3), [0xc3, 0xa9, 0]);
    assert.equal(decodes('utf8', [0xc3, 0xa9, 0]), 'é');
    rejects('utf8', 'éé', 'at most 3 UTF-8 bytes \\(got 4\\)', 3);
    rejects('utf8', 'a\u0000b', 'U\\+0000', 8);
    rejects('utf8', '\ud800', 'well-formed', 8);
    assert.equal(FIELD_CODECS.utf8.decode(Uint8Array.from([0xc3, 0x28])).ok, false);
  });
});

describe('bytes, bool, uuid and eui codecs', () => {
  test('bytes take hex (any case, optional 0x) or a Uint8Array of the exact length', () => {
    assert.deepEqual(bytesOf('bytes', '0A1b', 2), [0x0a, 0x1b]);
    assert.deepEqual(bytesOf('bytes', '0x0a1b', 2), [0x0a, 0x1b]);
    assert.deepEqual(bytesOf('bytes', Uint8Array.of(1, 2), 2), [1, 2]);
    assert.equal(decodes('bytes', [0x0a, 0x1b]), '0a1b');
    rejects('bytes', 'abc', 'even number', 2);
    rejects('bytes', 'zz', 'hex string', 1);
    rejects('bytes', '0a', 'exactly 2 bytes \\(got 1\\)', 2);
    rejects('bytes', [1, 2], 'not an array', 2);
  });

  test('bool is 0x01 / 0x00', () => {
    assert.deepEqual(bytesOf('bool', true), [1]);
    assert.deepEqual(bytesOf('bool', false), [0]);
    assert.equal(decodes('bool', [1]), true);
    rejects('bool', 'true', 'true or false');
    rejects('bool', 1, 'true or false');
    assert.equal(FIELD_CODECS.bool.decode(Uint8Array.of(2)).ok, false);
  });

  test('uuid in RFC 9562 byte order, canonical lower case on decode', () => {
    const uuid = '00112233-4455-6677-8899-AABBCCDDEEFF';
    assert.deepEqual(
      bytesOf('uuid', uuid),
      [0, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff],
    );
    assert.equal(decodes('uuid', bytesOf('uuid', uuid)), uuid.toLowerCase());
    rejects('uuid', '00112233445566778899aabbccddeeff', 'canonical form');
    rejects('uuid', '{00112233-4455-6677-8899-aabbccddeeff}', 'canonical form');
  });

  test('eui48 and eui64 with ":" or "-" separators', () => {
    assert.deepEqual(bytesOf('eui48', 'AA-BB-CC-00-11-22'), [0xaa, 0xbb, 0xcc, 0, 0x11, 0x22]);
    assert.deepEqual(bytesOf('eui64', '00:11:22:33:44:55:66:77'), [0, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77]);
    assert.equal(decodes('eui48', [0xaa, 0xbb, 0xcc, 0, 0x11, 0x22]), 'aa:bb:cc:00:11:22');
    rejects('eui48', 'aa:bb-cc:00:11:22', 'EUI-48');
    rejects('eui48', 'aa:bb:cc:00:11', 'EUI-48');
    rejects('eui64', 'aa:bb:cc:00:11:22', 'EUI-64');
  });
});

describe('encodeFieldValue', () => {
  test('refuses an encoding that is all 0xFF (it would read as blank OTP)', () => {
    for (const [type, value, size] of [
      ['u8', 255, 1],
      ['i16le', -1, 2],
      ['bytes', 'ffff', 2],
      ['uuid', 'ffffffff-ffff-ffff-ffff-ffffffffffff', 16],
      ['eui48', 'ff:ff:ff:ff:ff:ff', 6],
    ] as const) {
      assert.match(reasonOf(encodeFieldValue(type, size, value)), /all 0xFF/);
    }
    assert.ok(encodeFieldValue('u16le', 2, 0x00ff).ok, 'a single 0xFF byte is fine');
  });

  test('reasons never contain the value', () => {
    const secretish = 'c0ffee15deadbeef';
    for (const [type, size] of [
      ['bytes', 32],
      ['ascii', 4],
      ['utf8', 4],
      ['uuid', 16],
      ['u64le', 8],
    ] as const) {
      const result = encodeFieldValue(type, size, secretish);
      assert.ok(!reasonOf(result).includes(secretish), `${type} echoed the value`);
      assert.ok(!reasonOf(result).includes('c0ffee'), `${type} echoed part of the value`);
    }
  });
});
