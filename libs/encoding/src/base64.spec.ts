import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { base64ToBytes, base64UrlToBytes, bytesToBase64, bytesToBase64Url, decodeCanonicalBase64 } from './base64.js';
import { EncodingError } from './errors.js';

const hasCode = (code: string) => (error: unknown) => error instanceof EncodingError && error.code === code;

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
