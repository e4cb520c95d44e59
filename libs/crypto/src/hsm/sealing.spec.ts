import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import {
  MAX_SEAL_AAD_BYTES,
  MAX_SEAL_PLAINTEXT_BYTES,
  checkSealInput,
  decodeSealedBlob,
  encodeSealedBlob,
  sealAdditionalData,
} from './sealing.js';

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');
const iv = Uint8Array.from({ length: 12 }, (_, i) => i + 1);

void describe('sealed blob format v1', () => {
  void test('is version ‖ IV ‖ ciphertext ‖ tag', () => {
    const blob = encodeSealedBlob({ iv, ciphertextAndTag: new Uint8Array(17).fill(0xab) });
    assert.equal(hex(blob), `01${hex(iv)}${'ab'.repeat(17)}`);
  });

  void test('decodes what it encodes (property)', () => {
    const parts = fc.record({
      iv: fc.uint8Array({ minLength: 12, maxLength: 12 }).filter((bytes) => bytes.some((b) => b !== 0)),
      ciphertextAndTag: fc.uint8Array({ minLength: 17, maxLength: 200 }),
    });
    fc.assert(
      fc.property(parts, (value) => {
        const decoded = decodeSealedBlob(encodeSealedBlob(value), new Uint8Array(0));
        assert.equal(hex(decoded.iv), hex(value.iv));
        assert.equal(hex(decoded.ciphertextAndTag), hex(value.ciphertextAndTag));
      }),
    );
  });

  void test('refuses another version, a truncated blob and the reserved all-zero IV', () => {
    const good = encodeSealedBlob({ iv, ciphertextAndTag: new Uint8Array(17) });
    const otherVersion = Uint8Array.from(good);
    otherVersion[0] = 2;
    const zeroIv = encodeSealedBlob({ iv: new Uint8Array(12), ciphertextAndTag: new Uint8Array(17) });
    for (const blob of [otherVersion, good.subarray(0, good.length - 1), new Uint8Array(0), zeroIv]) {
      assert.throws(() => decodeSealedBlob(blob, new Uint8Array(0)), { code: 'HSM_UNSEAL_FAILED' });
    }
  });

  void test('the GCM additional data is the domain, a zero byte, then the caller AAD', () => {
    assert.equal(Buffer.from(sealAdditionalData(Buffer.from('ab'))).toString('latin1'), 'ingrain/seal/v1\0ab');
  });

  void test('bounds the plaintext and the AAD', () => {
    const aad = new Uint8Array(0);
    assert.throws(() => checkSealInput(new Uint8Array(0), aad), { code: 'HSM_INVALID_ARGUMENT' });
    assert.throws(() => checkSealInput(new Uint8Array(MAX_SEAL_PLAINTEXT_BYTES + 1), aad), {
      code: 'HSM_INVALID_ARGUMENT',
    });
    assert.throws(() => checkSealInput(new Uint8Array(1), new Uint8Array(MAX_SEAL_AAD_BYTES + 1)), {
      code: 'HSM_INVALID_ARGUMENT',
    });
    checkSealInput(new Uint8Array(MAX_SEAL_PLAINTEXT_BYTES), new Uint8Array(MAX_SEAL_AAD_BYTES));
  });
});
