import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { base64ToBytes, base64UrlToBytes, bytesToBase64, bytesToBase64Url, decodeCanonicalBase64 } from './base64.js';
import { sha256Hex } from './digest.js';
import { EncodingError } from './errors.js';
import { bytesToHex, hexToBytes } from './hex.js';
import { decodePem, encodePem } from './pem.js';

const hasCode = (code: string) => (error: unknown) => error instanceof EncodingError && error.code === code;

void describe('hex', () => {
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

void describe('base64', () => {
  void test('RFC 4648 §10 test vectors', () => {
    const vectors: [string, string][] = [
      ['', ''],
      ['f', 'Zg=='],
      ['fo', 'Zm8='],
      ['foo', 'Zm9v'],
      ['foobar', 'Zm9vYmFy'],
    ];
    for (const [plain, encoded] of vectors) {
      assert.equal(bytesToBase64(Buffer.from(plain)), encoded);
      assert.equal(Buffer.from(base64ToBytes(encoded)).toString(), plain);
    }
  });
  void test('only canonical text is accepted', () => {
    for (const bad of ['Zg', 'Zh==', 'Zg==\n', 'Z g==', 'Zg=', '-_8=']) {
      assert.throws(() => base64ToBytes(bad), hasCode('ENCODING_BASE64_INVALID'), bad);
    }
    assert.deepEqual(base64ToBytes('-_8', { allowUrl: true }), Uint8Array.of(0xfb, 0xff));
    assert.throws(() => base64UrlToBytes('-_8='), hasCode('ENCODING_BASE64_INVALID'));
  });
  void test('property: round trip in both alphabets', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 100 }), (bytes) => {
        assert.deepEqual(base64ToBytes(bytesToBase64(bytes)), bytes);
        assert.deepEqual(base64UrlToBytes(bytesToBase64Url(bytes)), bytes);
      }),
    );
  });
  void test('decodeCanonicalBase64 also gives the standard text, whichever alphabet was read', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 100 }), (bytes) => {
        for (const text of [bytesToBase64(bytes), bytesToBase64Url(bytes)]) {
          const decoded = decodeCanonicalBase64(text, { allowUrl: true });
          assert.deepEqual(decoded.bytes, bytes);
          assert.equal(decoded.standardBase64, bytesToBase64(bytes));
        }
      }),
    );
    assert.throws(() => decodeCanonicalBase64('-_8'), hasCode('ENCODING_BASE64_INVALID'));
    assert.throws(() => decodeCanonicalBase64('Zh==', { allowUrl: true }), hasCode('ENCODING_BASE64_INVALID'));
  });
});

void describe('PEM', () => {
  void test('64-character lines, round trip, CRLF tolerated', () => {
    const der = new Uint8Array(100).map((_, i) => i);
    const pem = encodePem('CERTIFICATE', der);
    assert.ok(
      pem
        .split('\n')
        .slice(1, -2)
        .every((line) => line.length <= 64),
    );
    assert.deepEqual(decodePem(pem, 'CERTIFICATE'), der);
    assert.deepEqual(decodePem(`\r\n${pem.replace(/\n/g, '\r\n')}`, 'CERTIFICATE'), der);
  });
  void test('rejects the wrong label, two blocks, empty and bad base64', () => {
    const pem = encodePem('CERTIFICATE', Uint8Array.of(1, 2, 3));
    assert.throws(() => decodePem(pem, 'PUBLIC KEY'), hasCode('ENCODING_PEM_INVALID'));
    assert.throws(() => decodePem(pem + pem, 'CERTIFICATE'), hasCode('ENCODING_PEM_INVALID'));
    assert.throws(() => decodePem('-----BEGIN X-----\n-----END X-----', 'X'), hasCode('ENCODING_PEM_INVALID'));
    assert.throws(() => decodePem('-----BEGIN X-----\nAQI=x\n-----END X-----', 'X'), hasCode('ENCODING_PEM_INVALID'));
  });
});

void test('sha256Hex: FIPS 180-2 "abc" vector', () => {
  assert.equal(sha256Hex(Buffer.from('abc')), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
});
