import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { EncodingError } from './errors.js';
import { bytesToHex, hexToBytes, tryHexToBytes } from './hex.js';

const hasCode = (code: string) => (error: unknown) => error instanceof EncodingError && error.code === code;

void describe('bytesToHex', () => {
  void test('writes lower-case pairs, respecting subarray views', () => {
    const bytes = Uint8Array.of(0, 0xab, 0x0f, 0x10);
    assert.equal(bytesToHex(bytes), '00ab0f10');
    assert.equal(bytesToHex(bytes.subarray(1, 3)), 'ab0f');
  });
});

void describe('hexToBytes (strict, throws)', () => {
  void test('round trip, lowercase out, either case in', () => {
    assert.equal(bytesToHex(Uint8Array.of(0, 0xab, 0xff)), '00abff');
    assert.deepEqual(hexToBytes('00ABff'), Uint8Array.of(0, 0xab, 0xff));
    assert.deepEqual(hexToBytes(''), new Uint8Array(0));
  });
  void test('rejects odd length, prefixes, separators and non-hex without echoing input', () => {
    for (const bad of ['abc', '0x00', 'aa bb', 'zz', 'aa:bb']) {
      assert.throws(
        () => hexToBytes(bad),
        (e: unknown) => hasCode('ENCODING_HEX_INVALID')(e) && !(e as Error).message.includes(bad),
      );
    }
  });
});

void describe('tryHexToBytes (lenient, undefined)', () => {
  void test('accepts any case and an optional 0x, refuses anything else', () => {
    assert.deepEqual(tryHexToBytes('0xABcd'), Uint8Array.of(0xab, 0xcd));
    assert.deepEqual(tryHexToBytes(''), new Uint8Array(0));
    assert.deepEqual(tryHexToBytes('0x'), new Uint8Array(0));
    for (const bad of ['abc', 'zz', 'ab cd', '-1', '0xf']) assert.equal(tryHexToBytes(bad), undefined, bad);
  });
});
