import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { EncodingError } from '#ingrain/encoding';
import { sha256Hex } from './digest.js';
import { decodePem, encodePem } from './pem.js';

const hasCode = (code: string) => (error: unknown) => error instanceof EncodingError && error.code === code;

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
