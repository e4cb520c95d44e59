import assert from 'node:assert/strict';
import { createECDH, createPublicKey } from 'node:crypto';
import { describe, test } from 'node:test';
import { leftPad, pointFromEcPointAttribute, spkiFromP256Point } from './ec.js';

const ecdh = createECDH('prime256v1');
ecdh.generateKeys();
const point = Uint8Array.from(ecdh.getPublicKey());

void describe('P-256 encodings', () => {
  void test('reads CKA_EC_POINT as a DER OCTET STRING or as a bare point', () => {
    assert.deepEqual(pointFromEcPointAttribute(Uint8Array.of(0x04, 0x41, ...point)), point);
    assert.deepEqual(pointFromEcPointAttribute(point), point);
  });

  void test('rejects compressed or truncated points', () => {
    const compressed = Uint8Array.from(ecdh.getPublicKey(null, 'compressed'));
    for (const value of [compressed, point.subarray(0, 64), Uint8Array.of(0x04, 0x41, ...point.subarray(0, 64))]) {
      assert.throws(() => pointFromEcPointAttribute(value), { code: 'HSM_OPERATION_FAILED' });
    }
  });

  void test('builds an SPKI that node:crypto reads back as the same key', () => {
    const spki = spkiFromP256Point(point);
    const jwk = createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' }).export({ format: 'jwk' });
    assert.equal(jwk.crv, 'P-256');
    assert.deepEqual(Buffer.from(jwk.x ?? '', 'base64url'), Buffer.from(point.subarray(1, 33)));
  });

  void test('refuses a point that is not on the curve', () => {
    const offCurve = Uint8Array.from(point);
    offCurve[64] = (offCurve[64] ?? 0) ^ 0x01;
    assert.throws(() => spkiFromP256Point(offCurve), { code: 'HSM_OPERATION_FAILED' });
  });

  void test('left-pads a short big-endian scalar and refuses a long one', () => {
    assert.deepEqual(leftPad(Uint8Array.of(1, 2), 4), Uint8Array.of(0, 0, 1, 2));
    assert.throws(() => leftPad(new Uint8Array(33), 32), { code: 'HSM_OPERATION_FAILED' });
  });
});
