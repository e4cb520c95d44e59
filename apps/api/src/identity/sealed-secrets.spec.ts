import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { decodeSealedSecrets, encodeSealedSecrets, sealedSecretsAad } from './sealed-secrets.js';

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

void describe('sealed secrets encoding', () => {
  void test('is 01 ‖ count ‖ (len(name) ‖ name ‖ u16be(len(value)) ‖ value)…', () => {
    const encoded = encodeSealedSecrets([
      { name: 'device_key', value: Uint8Array.of(0xaa, 0xbb) },
      { name: 'pin', value: Buffer.from('7Q') },
    ]);
    assert.equal(
      hex(encoded),
      '0102' +
        '0a' +
        hex(Buffer.from('device_key')) +
        '0002aabb' +
        '03' +
        hex(Buffer.from('pin')) +
        '0002' +
        hex(Buffer.from('7Q')),
    );
  });

  void test('decodes what it encodes (property)', () => {
    const secrets = fc.uniqueArray(
      fc.record({
        name: fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_-]{0,63}$/),
        value: fc.uint8Array({ minLength: 1, maxLength: 128 }),
      }),
      { minLength: 1, maxLength: 8, selector: (secret) => secret.name },
    );
    fc.assert(
      fc.property(secrets, (list) => {
        const decoded = decodeSealedSecrets(encodeSealedSecrets(list));
        assert.deepEqual(
          decoded.map((s) => [s.name, hex(s.value)]),
          list.map((s) => [s.name, hex(s.value)]),
        );
      }),
    );
  });

  void test('refuses another version, truncation, trailing bytes and repeated names', () => {
    const good = encodeSealedSecrets([{ name: 'k', value: Uint8Array.of(1, 2, 3) }]);
    const twice = encodeSealedSecrets([
      { name: 'k', value: Uint8Array.of(1) },
      { name: 'k', value: Uint8Array.of(2) },
    ]);
    const cases = [
      Uint8Array.of(2, ...good.subarray(1)),
      good.subarray(0, good.length - 1),
      Uint8Array.of(...good, 0),
      twice,
    ];
    for (const bytes of cases) {
      assert.throws(() => decodeSealedSecrets(bytes), { code: 'IDENTITY_RECORD_INVALID' }, hex(bytes));
    }
  });

  void test('the AAD binds product and serial', () => {
    assert.equal(
      Buffer.from(sealedSecretsAad('sensor-node', 'SN-1')).toString(),
      'ingrain-sealed-secrets/v1|sensor-node|SN-1',
    );
  });
});
