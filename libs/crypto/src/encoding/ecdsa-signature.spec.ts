import assert from 'node:assert/strict';
import { generateKeyPairSync, sign, verify } from 'node:crypto';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { EncodingError } from '#ingrain/encoding';
import { derToP1363, p1363ToDer } from './ecdsa-signature.js';

const isSignatureError = (error: unknown): boolean =>
  error instanceof EncodingError && error.code === 'ENCODING_SIGNATURE_INVALID';
const N_HEX = 'ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551';

void describe('ECDSA P-256 signature encodings', () => {
  void test('P1363 → DER gives what OpenSSL verifies, and DER → P1363 gives it back', () => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    for (let i = 0; i < 20; i++) {
      const message = Buffer.from(`message ${i}`);
      const p1363 = new Uint8Array(sign('sha256', message, { key: privateKey, dsaEncoding: 'ieee-p1363' }));
      const der = p1363ToDer(p1363);
      assert.ok(verify('sha256', message, { key: publicKey, dsaEncoding: 'der' }, der));
      assert.deepEqual(derToP1363(der), p1363);
      const opensslDer = new Uint8Array(sign('sha256', message, privateKey));
      assert.ok(verify('sha256', message, { key: publicKey, dsaEncoding: 'ieee-p1363' }, derToP1363(opensslDer)));
    }
  });

  void test('small r and s get minimal INTEGERs', () => {
    const p1363 = new Uint8Array(64);
    p1363[31] = 1;
    p1363[32] = 0x80;
    assert.equal(Buffer.from(p1363ToDer(p1363)).toString('hex'), `3026020101022100${'80'.padEnd(64, '0')}`);
  });

  void test('rejects wrong lengths, zero and out-of-range scalars', () => {
    assert.throws(() => p1363ToDer(new Uint8Array(63).fill(1)), isSignatureError);
    assert.throws(() => p1363ToDer(new Uint8Array(64)), isSignatureError);
    const rIsN = Buffer.concat([Buffer.from(N_HEX, 'hex'), Buffer.alloc(32, 1)]);
    assert.throws(() => p1363ToDer(rIsN), isSignatureError);
    assert.throws(() => derToP1363(Buffer.from('3006020100020101', 'hex')), isSignatureError); // r = 0
    assert.throws(() => derToP1363(Buffer.from('30060201010201ff', 'hex')), isSignatureError); // negative s
    assert.throws(() => derToP1363(Buffer.from('3007020101020200ff00', 'hex')), isSignatureError); // trailing byte
    assert.throws(() => derToP1363(Buffer.from(`3027020101022200${'01'.repeat(33)}`, 'hex')), isSignatureError);
  });

  void test('property: any single bit flip of a DER signature is rejected or changes (r, s)', () => {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const der = new Uint8Array(sign('sha256', Buffer.from('x'), privateKey));
    const original = derToP1363(der);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: der.length * 8 - 1 }), (bit) => {
        const flipped = der.slice();
        flipped[bit >> 3]! ^= 0x80 >> (bit & 7);
        try {
          assert.notDeepEqual(derToP1363(flipped), original);
        } catch (error) {
          if (!isSignatureError(error)) throw error;
        }
      }),
      { numRuns: der.length * 8 },
    );
  });
});
