import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { derivationBlockInput, deriveDeviceSecretWithKey, encodeDerivationContext } from './derivation.js';

// Known-answer vector computed outside this code base with
//   openssl dgst -sha256 -mac HMAC -macopt hexkey:000102…1f  (one block input per call)
// and repeated in docs/keys.md for auditors.
const KAT = {
  key: Uint8Array.from({ length: 32 }, (_, i) => i),
  context: { product: 'ingrain-demo', serial: 'SN-0001', purpose: 'otp-aes-key' },
  lengthBytes: 48,
  block1Input:
    '00000001696e677261696e2f6465766963652d7365637265742f7631000c696e677261696e2d64656d6f07534e2d303030310b6f74702d6165732d6b657900000180',
  output: 'fff675df097d8228a8f22cc3a8bc41402e7d259d6df9f5b6499dff34644a6a72' + '276f354bc831eea2e6b2ed706cd7435d',
};

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

void describe('device secret derivation (SP 800-108 counter mode, HMAC-SHA256)', () => {
  void test('matches the known-answer vector', async () => {
    assert.equal(hex(await deriveDeviceSecretWithKey(KAT.key, KAT.context, KAT.lengthBytes)), KAT.output);
  });

  void test('block input is [i]32 ‖ label ‖ 0x00 ‖ context ‖ [L]32', () => {
    const input = derivationBlockInput(1, encodeDerivationContext(KAT.context), KAT.lengthBytes);
    assert.equal(hex(input), KAT.block1Input);
  });

  void test('the length is bound into every block: a shorter secret is not a prefix of a longer one', async () => {
    const short = await deriveDeviceSecretWithKey(KAT.key, KAT.context, 16);
    const long = await deriveDeviceSecretWithKey(KAT.key, KAT.context, 32);
    assert.notEqual(hex(short), hex(long.subarray(0, 16)));
  });

  void test('the context encoding is injective (length-prefixed fields)', () => {
    const field = fc.string({ minLength: 1, maxLength: 12 });
    const context = fc.record({ product: field, serial: field, purpose: field });
    fc.assert(
      fc.property(context, context, (a, b) => {
        fc.pre(a.product !== b.product || a.serial !== b.serial || a.purpose !== b.purpose);
        assert.notEqual(hex(encodeDerivationContext(a)), hex(encodeDerivationContext(b)));
      }),
    );
  });

  void test('rejects empty, over-long and malformed fields, and bad lengths', async () => {
    const ok = KAT.context;
    const cases = [
      { ...ok, product: '' },
      { ...ok, serial: 'x'.repeat(256) },
      { ...ok, purpose: 'lone \ud800 surrogate' },
    ];
    for (const context of cases) {
      assert.throws(() => encodeDerivationContext(context), { code: 'HSM_INVALID_ARGUMENT' });
    }
    for (const lengthBytes of [0, 1025, 1.5]) {
      await assert.rejects(deriveDeviceSecretWithKey(KAT.key, ok, lengthBytes), { code: 'HSM_INVALID_ARGUMENT' });
    }
    assert.equal((await deriveDeviceSecretWithKey(KAT.key, { ...ok, serial: 'é'.repeat(127) }, 1)).length, 1);
  });
});
