import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { commitSecretField, maskSecretFields } from './commitment.js';
import { AttestationError } from './errors.js';

void describe('secret-field commitments', () => {
  void test('documented vector (docs/attestation.md): built by hand from the specification', () => {
    const salt = Buffer.alloc(32, 0x11);
    const value = Buffer.from('00112233445566778899aabbccddeeff', 'hex');
    const byHand = Buffer.concat([
      Buffer.from('ingrain.attestation.v1.secret-field-commitment\0', 'ascii'),
      Buffer.from('00000007', 'hex'),
      Buffer.from('aes_key'),
      Buffer.from('00000020', 'hex'),
      salt,
      Buffer.from('00000010', 'hex'),
      value,
    ]);
    const expected = createHash('sha256').update(byHand).digest('hex');
    assert.equal(commitSecretField({ fieldName: 'aes_key', salt, value }), expected);
    // Also computed with printf/xxd/sha256sum as shown in docs/attestation.md.
    assert.equal(expected, '368a86653e901128c8a443c4b4926ec4c6836f272b5b9970a7fcdb83940a5559');
  });

  void test('salt bounds and empty values are refused', () => {
    const isInput = (e: unknown) => e instanceof AttestationError && e.code === 'ATTESTATION_INPUT_INVALID';
    assert.throws(
      () => commitSecretField({ fieldName: 'k', salt: new Uint8Array(15), value: Uint8Array.of(1) }),
      isInput,
    );
    assert.throws(
      () => commitSecretField({ fieldName: 'k', salt: new Uint8Array(65), value: Uint8Array.of(1) }),
      isInput,
    );
    assert.throws(
      () => commitSecretField({ fieldName: 'k', salt: new Uint8Array(16), value: new Uint8Array(0) }),
      isInput,
    );
  });

  void test('property: name, salt and value are all bound (length prefixes prevent shifting bytes between them)', () => {
    const arbitrary = fc.record({
      fieldName: fc.stringMatching(/^[a-z_]{1,12}$/),
      salt: fc.uint8Array({ minLength: 16, maxLength: 40 }),
      value: fc.uint8Array({ minLength: 1, maxLength: 40 }),
    });
    fc.assert(
      fc.property(arbitrary, arbitrary, (a, b) => {
        const same =
          a.fieldName === b.fieldName && Buffer.compare(a.salt, b.salt) === 0 && Buffer.compare(a.value, b.value) === 0;
        assert.equal(commitSecretField(a) === commitSecretField(b), same);
      }),
    );
    const x = commitSecretField({ fieldName: 'ab', salt: new Uint8Array(16), value: Uint8Array.of(1, 2) });
    const shifted = commitSecretField({ fieldName: 'a', salt: new Uint8Array(16), value: Uint8Array.of(1, 2) });
    assert.notEqual(x, shifted);
  });

  void test('maskSecretFields zeroes exactly the fields and leaves the input alone', () => {
    const data = new Uint8Array(8).fill(0xaa);
    const masked = maskSecretFields(data, [
      { offsetBytes: 1, lengthBytes: 2 },
      { offsetBytes: 6, lengthBytes: 2 },
    ]);
    assert.deepEqual([...masked], [0xaa, 0, 0, 0xaa, 0xaa, 0xaa, 0, 0]);
    assert.ok(data.every((b) => b === 0xaa));
  });
});
